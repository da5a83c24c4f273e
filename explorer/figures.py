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
    """Test codes as dots coloured by class (PCA of them above 2 dimensions); SVG markers, which Plotly can move
    from one epoch's places to the next (WebGL's cannot)."""
    xy, (xname, yname) = flat_view(codes)
    labels = np.asarray(labels)
    fig = go.Figure([go.Scatter(x=xy[labels == c, 0], y=xy[labels == c, 1], mode="markers", name=str(name),
                                  marker=dict(size=4, color=PALETTE[c % len(PALETTE)]))
                     for c, name in enumerate(class_names) if (labels == c).any()])
    fig.update_layout(title=title, font=FONT, height=420, margin=dict(l=50, r=10, t=50, b=40),
                      xaxis_title=xname, yaxis_title=yname, template="plotly_white", legend=dict(itemsizing="constant"))
    return fig


def loss_curves(history: list[dict], kind: str, twin: list[dict] | None = None) -> go.Figure:
    """Per epoch: the test set's negative ELBO and reconstruction and the training loss (nats per image, left axis),
    and a VAE's test KL (right axis: it is an order of magnitude smaller, and rises while the rest fall). The left
    axis leaves out the first epoch's loss once there are three epochs: it starts from random weights, several times
    higher than everything after, and would flatten the rest. `twin`: the history of an AE trained beside the VAE,
    whose test reconstruction joins the left axis."""
    epochs = [row["epoch"] for row in history]
    left = [("test_rec_nats", "test reconstruction"), ("train_loss", "training loss")]
    if kind == "vae":
        left.insert(0, ("test_neg_elbo", "test −ELBO"))
    fig = go.Figure([go.Scatter(x=epochs, y=[row[key] for row in history], mode="lines+markers", name=name)
                     for key, name in left])
    if twin:   # an AE trained beside the VAE: its reconstruction, which pays no KL
        fig.add_trace(go.Scatter(x=[row["epoch"] for row in twin], y=[row["test_rec_nats"] for row in twin],
                                 mode="lines+markers", name="AE test reconstruction", line=dict(dash="dash")))
    if kind == "vae":
        fig.add_trace(go.Scatter(x=epochs, y=[row["test_kl_nats"] for row in history], mode="lines+markers",
                                 name="test KL (right axis)", yaxis="y2", line=dict(dash="dot")))
    yaxis = dict(title="nats")
    if len(history) >= 3:
        later = [row[key] for row in history[1:] for key, _ in left] + [row["test_rec_nats"] for row in (twin or [])[1:]]
        yaxis["range"] = [min(later) * 0.97, max(later) * 1.03]
    fig.update_layout(title="Loss per epoch (nats per image)", font=FONT, height=420, xaxis_title="epoch",
                      yaxis=yaxis, margin=dict(l=50, r=50, t=50, b=40), template="plotly_white",
                      legend=dict(orientation="h", y=-0.25),
                      **({"yaxis2": dict(title="KL nats", overlaying="y", side="right", rangemode="tozero",
                                         showgrid=False)} if kind == "vae" else {}))
    return fig


def rate_distortion(points: list[dict], current: str | None = None) -> go.Figure:
    """KL (the rate, nats) against reconstruction (the distortion, nats), one marker per VAE: `points` are dicts of
    name, rate, distortion, beta, active ("2/2 units") and latent_dim; `current` is drawn larger. Dotted lines
    join equal −ELBO (rate + distortion): a model down and to the left is better, one along a line trades one for
    the other at the same bound. Lower β buys detail with nats of KL; high β pays in detail for a tidier code."""
    fig = go.Figure()
    if points:
        rate = np.array([p["rate"] for p in points])
        dist = np.array([p["distortion"] for p in points])
        lo, hi = (rate + dist).min(), (rate + dist).max()
        pad_r, pad_d = max(1.0, 0.15 * np.ptp(rate)), max(1.0, 0.15 * np.ptp(dist))
        x0, x1 = max(0.0, rate.min() - pad_r), rate.max() + pad_r
        y0, y1 = dist.min() - pad_d, dist.max() + pad_d
        for total in np.unique(np.round(np.linspace(lo, hi, 3) if hi > lo else [lo], 1)):
            fig.add_trace(go.Scatter(x=[x0, x1], y=[total - x0, total - x1], mode="lines", hoverinfo="skip",
                                     line=dict(color="#bbb", dash="dot", width=1), showlegend=False))
            fig.add_annotation(x=x1, y=total - x1, text=f"−ELBO {total:.0f}", showarrow=False, xanchor="right",
                               yanchor="bottom", font=dict(size=11, color="#777"))
        fig.update_xaxes(range=[x0, x1])
        fig.update_yaxes(range=[y0, y1])
        middle = rate.mean()
    for i, p in enumerate(sorted(points, key=lambda p: p["rate"])):
        big = p["name"] == current
        # labels above and below in turn, towards the middle of the chart: neighbours and edges do not cut them
        where = ("top" if i % 2 else "bottom") + (" right" if p["rate"] <= middle else " left")
        fig.add_trace(go.Scatter(
            x=[p["rate"]], y=[p["distortion"]], mode="markers+text", name=p["name"], cliponaxis=False,
            text=[f"β {p['beta']:g} · {p['active']}"], textposition=where, showlegend=False,
            marker=dict(size=16 if big else 11, color="#e15759" if big else "#4e79a7",
                        line=dict(color="#111", width=1.5 if big else 0)),
            hovertemplate=f"{p['name']}, {p['latent_dim']}-D<br>KL %{{x:.2f}} nats<br>reconstruction %{{y:.2f}} nats"
                          "<extra></extra>"))
    fig.update_layout(font=FONT, height=380, margin=dict(l=60, r=20, t=30, b=50), template="plotly_white",
                      xaxis_title="KL: nats the code carries (rate)",
                      yaxis_title="reconstruction: nats lost (distortion)")
    return fig
