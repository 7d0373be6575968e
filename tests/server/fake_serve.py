"""Run ``tools.cli`` with the stand-in twin (used by the transport tests while the real twin is missing)."""

from tests.server import fake_twin

if __name__ == "__main__":
    fake_twin.install()
    from tools.cli import main

    main()
