"""Where the tests find the repository, their fixture files and ``../shared`` (beside the checkout)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TESTS = REPO_ROOT / "tests"
FIXTURES = TESTS / "fixtures"
EXTERNAL_FIXTURES = FIXTURES / "external"
SHARED = REPO_ROOT.parent / "shared"  # the documents and data shipped beside the checkout
