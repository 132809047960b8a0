"""Custom Streamlit components bundled with the app (plain HTML/JS, no CDN, no build step)."""
