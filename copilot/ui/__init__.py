"""The Streamlit chat front end's helpers: transcript state, rendering of events, images, spectra, runtime."""
