"""Where things live. Every path is relative to the repository root."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config.yml"
DOMAIN = ROOT / "domain"
DATA = ROOT / "data"
USER_DICT_DIR = DATA / "dict"
ENDPOINTS = ROOT / "endpoints.yml"
CREDENTIALS = ROOT / "credentials.yml"
MODELS = ROOT / "models"
MODEL_NAME = "yuefa"
MODEL_FILE = MODELS / f"{MODEL_NAME}.tar.gz"
MODEL_FINGERPRINT = MODELS / f"{MODEL_NAME}.fingerprint"
VAR = ROOT / "var"
DEFAULT_DB = VAR / "yuefa.db"

# Files whose content decides the trained model. Custom component code counts:
# changing a component without retraining would serve a stale model.
MODEL_INPUTS = [CONFIG, DOMAIN, DATA, ROOT / "bot" / "nlu"]
