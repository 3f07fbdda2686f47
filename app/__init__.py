"""The web app (`leon app`): Streamlit pages over the same planner functions the CLI calls."""
