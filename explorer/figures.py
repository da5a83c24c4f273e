"""Arrays in, Plotly figures out; no torch, no gradio. Colours and fonts sized for a projector."""
import numpy as np
import plotly.graph_objects as go

FONT = dict(size=15)


def kl_bars(kl_per_dim, title: str = "KL per latent dimension (nats)") -> go.Figure:
    """Bar chart of KL nats per dimension, dimensions labelled z1..zD, the largest first when D > 2."""
    kl = np.asarray(kl_per_dim, dtype=float).ravel()
    order = np.argsort(-kl, kind="stable") if len(kl) > 2 else np.arange(len(kl))
    fig = go.Figure(go.Bar(x=[f"z{i + 1}" for i in order], y=kl[order], marker_color="#4e79a7",
                           text=[f"{v:.2f}" for v in kl[order]], textposition="outside", cliponaxis=False))
    fig.update_layout(title=title, font=FONT, height=300, margin=dict(l=50, r=20, t=50, b=40),
                      yaxis_title="nats", xaxis=dict(type="category"), template="plotly_white")
    return fig

