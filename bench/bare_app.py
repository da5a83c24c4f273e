"""The yardstick for start-up: a bare Gradio app that only imports torch and launches."""
import os

import gradio as gr
import torch  # noqa: F401  (imported for its cost, as the real app does)

with gr.Blocks() as demo:
    gr.Markdown("bare")

demo.launch(server_name="127.0.0.1", server_port=int(os.environ["GRADIO_SERVER_PORT"]), ssr_mode=False)
