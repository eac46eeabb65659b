"""Zhidu settings, read from the environment.

Defaults run the embedded product: SQLite in ./var, an in-process worker, local files.
Production sets DATABASE_URL (PostgreSQL), ZHIDU_SECRET_KEY, ALLOWED_HOSTS and, to scale
background work out, ZHIDU_TASKS=rq with REDIS_URL (see docs/deploy.md).
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("ZHIDU_VAR_DIR", Path.cwd() / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("ZHIDU_DEBUG")
DEMO = env_bool("ZHIDU_DEMO")
TESTING = env_bool("ZHIDU_TESTING") or "pytest" in sys.modules

SECRET_KEY = os.environ.get("ZHIDU_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or DEMO or TESTING):
        raise ImproperlyConfigured(
            "ZHIDU_SECRET_KEY must be set outside demo/debug mode (see docs/deploy.md)."
        )
    SECRET_KEY = "zhidu-insecure-demo-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if not (DEMO or DEBUG) else "*")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Zhidu's apps first: their templates and translations take precedence over the
    # libraries' (e.g. django-filter's "Filter" is 筛选 here, not 过滤器).
    "zhidu.core",
    "zhidu.org",
    "zhidu.procurement",
    "zhidu.assets",
    "zhidu.consumables",
    "zhidu.disposal",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "django_tables2",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zhidu.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # after MessageMiddleware: the idle timeout tells the user why they were signed out
    "zhidu.core.middleware.IdleTimeoutMiddleware",
    "zhidu.core.middleware.RequestContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhidu.urls"
WSGI_APPLICATION = "zhidu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhidu.core.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite (WAL, IMMEDIATE transactions) by default, anything dj-database-url reads otherwise.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'zhidu.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("ZHIDU_TEST_SQLITE", "")} if os.environ.get(
        "ZHIDU_TEST_SQLITE"
    ) else {}
else:
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("ZHIDU_TEST_DB_NAME", "test_zhidu")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhidu.core.validators.CharacterClassValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    MIDDLEWARE.insert(0, "zhidu.core.testing.serial.serial_requests")  # live server on SQLite

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failures (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("ZHIDU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("ZHIDU_LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zhidu.core.auth.views.lockout_response"  # registration/locked_out.html, 429
AXES_VERBOSE = False
AXES_ENABLED = env_bool("ZHIDU_AXES_ENABLED", True)
AXES_SENSITIVE_PARAMETERS = ["otp_token"]  # never stored with a failed attempt (the password never is)
OTP_TOTP_ISSUER = os.environ.get("ZHIDU_OTP_ISSUER", "Zhidu")  # the name shown in authenticator apps

# Session idle timeout (ACC-09): logged out after this many minutes without a request.
SESSION_IDLE_TIMEOUT_MINUTES = int(os.environ.get("ZHIDU_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("ZHIDU_SECURE_COOKIES", not (DEBUG or DEMO or TESTING))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind a reverse proxy (nginx) that terminates TLS and sets X-Forwarded-Proto (docs/deploy.md).
if env_bool("ZHIDU_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: everything is served locally (intranet product); no inline scripts.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Working calendar (zhidu.core.calendar): daily working periods, local time; holidays and 调休
# come from the chinese-calendar package.
ZHIDU_WORKING_HOURS = os.environ.get("ZHIDU_WORKING_HOURS", "08:30-12:00,13:30-17:30")

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("ZHIDU_MEDIA_ROOT", VAR_DIR / "media"))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG or DEMO or TESTING

# Attachments: local disk by default; S3-compatible storage when ZHIDU_STORAGE=s3 (docs/deploy.md).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEBUG or DEMO or TESTING)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
if os.environ.get("ZHIDU_STORAGE") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("ZHIDU_S3_BUCKET", "zhidu"),
            "endpoint_url": os.environ.get("ZHIDU_S3_ENDPOINT_URL"),
            "access_key": os.environ.get("ZHIDU_S3_ACCESS_KEY"),
            "secret_key": os.environ.get("ZHIDU_S3_SECRET_KEY"),
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
ZHIDU_MAX_ATTACHMENT_MB = int(os.environ.get("ZHIDU_MAX_ATTACHMENT_MB", "50"))
# Exports of more rows / imports of more data rows than these run as background jobs (zhidu.core.background).
ZHIDU_BACKGROUND_EXPORT_ROWS = int(os.environ.get("ZHIDU_BACKGROUND_EXPORT_ROWS", "5000"))
ZHIDU_BACKGROUND_IMPORT_ROWS = int(os.environ.get("ZHIDU_BACKGROUND_IMPORT_ROWS", "2000"))

# Background work: django.tasks with the database backend; RQ/Redis to scale out.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if os.environ.get("ZHIDU_TASKS") == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]  # `zhidu rqworker --job-class django_tasks_rq.Job`
    RQ_QUEUES = {"default": {"URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")}}
elif TESTING:
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # as DRF's, plus: the token's user becomes the actor of the change log
        "zhidu.core.auth.authentication.TokenAuthentication",
        "zhidu.core.auth.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "zhidu.core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "zhidu.core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Zhidu API",
    "DESCRIPTION": "Zhidu (制度): IT management regulation as software. Token auth: `Authorization: Token <key>` (create the token on the \"My account\" page, /accounts/).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        # procurement
        "PurchaseRequestStatusEnum": "zhidu.procurement.choices.RequestStatus",
        "PurchaseRequestKindEnum": "zhidu.procurement.choices.RequestKind",
        "PurchaseLineCategoryEnum": "zhidu.procurement.choices.LineCategory",
        "SelfPurchaseFilingStatusEnum": "zhidu.procurement.choices.FilingStatus",
        "PurchaseApprovalChoiceEnum": "zhidu.procurement.choices.ApprovalChoice",
        "AcceptanceRejectedActionEnum": "zhidu.procurement.choices.RejectedAction",
        # org
        "EmploymentStatusEnum": "zhidu.org.choices.EmploymentStatus",
        "UnitKindEnum": "zhidu.org.choices.UnitKind",
        "RoleScopeEnum": "zhidu.org.choices.RoleScope",
        # assets (ledger)
        "AssetCategoryKindEnum": "zhidu.assets.choices.CategoryKind",
        "AssetStatusEnum": "zhidu.assets.choices.AssetStatus",
        # consumables
        "ConsumableCategoryEnum": "zhidu.consumables.choices.ConsumableCategory",
        "ConsumableMovementKindEnum": "zhidu.consumables.choices.MovementKind",
        "ConsumableMovementStatusEnum": "zhidu.consumables.choices.MovementStatus",
        "ConsumableRecycleConditionEnum": "zhidu.consumables.choices.RecycleCondition",
        "ConsumablePeriodKindEnum": "zhidu.consumables.choices.PeriodKind",
        "ConsumablePlanVariantEnum": "zhidu.consumables.choices.PlanVariant",
        "ConsumablePlanStatusEnum": "zhidu.consumables.choices.PlanStatus",
        # disposal
        "ScrapStatusEnum": "zhidu.disposal.choices.ScrapStatus",
        "ScrapLineKindEnum": "zhidu.disposal.choices.LineKind",
        "ScrapLineOutcomeEnum": "zhidu.disposal.choices.LineOutcome",
        "SanitisationMethodEnum": "zhidu.disposal.choices.SanitisationMethod",
        "DisposalMethodEnum": "zhidu.disposal.choices.DisposalMethod",
        # assets: stock-takes and inspections
        "StocktakeKindEnum": "zhidu.assets.models.stocktake.StocktakeKind",
        "StocktakeStatusEnum": "zhidu.assets.models.stocktake.StocktakeStatus",
        "StocktakeCountResultEnum": "zhidu.assets.models.stocktake.CountResult",
        "StocktakeDifferenceEnum": "zhidu.assets.models.stocktake.Difference",
        "StocktakeAdjustmentKindEnum": "zhidu.assets.models.stocktake.AdjustmentKind",
        "StocktakeAdjustmentStatusEnum": "zhidu.assets.models.stocktake.AdjustmentStatus",
        "InspectionStatusEnum": "zhidu.assets.models.stocktake.InspectionStatus",
        "InspectionFindingResultEnum": "zhidu.assets.models.stocktake.FindingResult",
        # assets: custody (A2)
        "IncidentKindEnum": "zhidu.assets.models.custody.IncidentKind",
        "ReturnConditionEnum": "zhidu.assets.models.custody.ReturnCondition",
    },
}

DJANGO_TABLES2_TEMPLATE = "core/table.html"
FILTERS_EMPTY_CHOICE_LABEL = _("All")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZHIDU_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "django.db.backends": {"level": "INFO"}},
}

MAILERS = {"default": {"BACKEND": os.environ.get("ZHIDU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}}
if DEMO and "ZHIDU_EMAIL_BACKEND" not in os.environ:
    # The demo keeps its console readable: e-mails are written to files in var/mail instead.
    MAILERS["default"] = {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
    }
DEFAULT_FROM_EMAIL = os.environ.get("ZHIDU_FROM_EMAIL", "zhidu@localhost")
if MAILERS["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("ZHIDU_EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("ZHIDU_EMAIL_PORT", "25")),
        "username": os.environ.get("ZHIDU_EMAIL_USER", ""),
        "password": os.environ.get("ZHIDU_EMAIL_PASSWORD", ""),
        "use_tls": env_bool("ZHIDU_EMAIL_USE_TLS"),
        "use_ssl": env_bool("ZHIDU_EMAIL_USE_SSL"),
        "timeout": 30,
    }
# Absolute links in notification e-mails, e.g. https://zhidu.example.cn (zhidu.core.notifications).
ZHIDU_BASE_URL = os.environ.get("ZHIDU_BASE_URL", "")
