"""Arrays in, Plotly figures out; no torch, no gradio. Colours and fonts sized for a projector."""
import numpy as np
import plotly.graph_objects as go

from explorer.projection import pca_axes

FONT = dict(size=15)
# Tableau 10: the same class gets the same colour on every map, so a VAE map and its AE twin compare at a glance.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")


def kl_bars(kl_per_dim, title: str = "KL per latent dimension (nats)") -> go.Figure:
    """Bar chart of KL nats per dimension, dimensions labelled z1..zD, the largest first when D > 2."""
    kl = np.asarray(kl_per_dim, dtype=float).ravel()
    order = np.argsort(-kl, kind="stable") if len(kl) > 2 else np.arange(len(kl))
    fig = go.Figure(go.Bar(x=[f"z{i + 1}" for i in order], y=kl[order], marker_color="#4e79a7",
                           text=[f"{v:.2f}" for v in kl[order]], textposition="outside", cliponaxis=False))
    fig.update_layout(title=title, font=FONT, height=300, margin=dict(l=50, r=20, t=50, b=40),
                      yaxis_title="nats", xaxis=dict(type="category"), template="plotly_white")
    return fig


def flat_view(codes: np.ndarray) -> tuple[np.ndarray, tuple[str, str]]:
    """(N, D) codes -> (N, 2) points to plot and the axes' names: the codes themselves for D <= 2, else their first
    two principal components (projection.pca_axes, whose signs keep a map redrawn each epoch from flipping)."""
    codes = np.asarray(codes, dtype=np.float64)
    if codes.shape[1] == 1:
        return np.column_stack([codes[:, 0], np.zeros(len(codes))]), ("z1", "")
    if codes.shape[1] == 2:
        return codes, ("z1", "z2")
    mean, axes = pca_axes(codes)
    return (codes - mean) @ axes.T, ("pca 1", "pca 2")


def code_scatter(codes, labels, class_names, title: str) -> go.Figure:
    """Test codes as dots coloured by class (PCA of them above 2 dimensions)."""
    xy, (xname, yname) = flat_view(codes)
    labels = np.asarray(labels)
    fig = go.Figure([go.Scattergl(x=xy[labels == c, 0], y=xy[labels == c, 1], mode="markers", name=str(name),
                                  marker=dict(size=4, color=PALETTE[c % len(PALETTE)]))
                     for c, name in enumerate(class_names) if (labels == c).any()])
    fig.update_layout(title=title, font=FONT, height=420, margin=dict(l=50, r=10, t=50, b=40),
                      xaxis_title=xname, yaxis_title=yname, template="plotly_white", legend=dict(itemsizing="constant"))
    return fig


def loss_curves(history: list[dict], kind: str) -> go.Figure:
    """Per epoch: the test set's negative ELBO and reconstruction and the training loss (nats per image, left axis),
    and a VAE's test KL (right axis: it is an order of magnitude smaller, and rises while the rest fall). The left
    axis leaves out the first epoch's loss once there are three epochs: it starts from random weights, several times
    higher than everything after, and would flatten the rest."""
    epochs = [row["epoch"] for row in history]
    left = [("test_rec_nats", "test reconstruction"), ("train_loss", "training loss")]
    if kind == "vae":
        left.insert(0, ("test_neg_elbo", "test −ELBO"))
    fig = go.Figure([go.Scatter(x=epochs, y=[row[key] for row in history], mode="lines+markers", name=name)
                     for key, name in left])
    if kind == "vae":
        fig.add_trace(go.Scatter(x=epochs, y=[row["test_kl_nats"] for row in history], mode="lines+markers",
                                 name="test KL (right axis)", yaxis="y2", line=dict(dash="dot")))
    yaxis = dict(title="nats")
    if len(history) >= 3:
        later = [row[key] for row in history[1:] for key, _ in left]
        yaxis["range"] = [min(later) * 0.97, max(later) * 1.03]
    fig.update_layout(title="Loss per epoch (nats per image)", font=FONT, height=420, xaxis_title="epoch",
                      yaxis=yaxis, margin=dict(l=50, r=50, t=50, b=40), template="plotly_white",
                      legend=dict(orientation="h", y=-0.25),
                      **({"yaxis2": dict(title="KL nats", overlaying="y", side="right", rangemode="tozero",
                                         showgrid=False)} if kind == "vae" else {}))
    return fig
