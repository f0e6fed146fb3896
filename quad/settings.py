"""Quad settings: one module, read from environment variables only.

With no variables set you get the embedded setup (SQLite, files for email, the
test payment provider, an in-memory channel layer). Every variable is listed in
`.env.example` with its meaning; the small helpers below fail loudly on a value
they cannot read rather than guessing.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def envfloat(name: str, default: float, *, low: float = 0.0, high: float = 1.0) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number from {low} to {high}, not {value!r}") from exc
    if not low <= number <= high:
        raise ImproperlyConfigured(f"{name} must be a number from {low} to {high}, not {value!r}")
    return number


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def envtime(name: str, default: str) -> datetime.time:
    value = env(name, default)
    try:
        return datetime.time.fromisoformat(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a time of day like 22:00, not {value!r}") from exc


def envmonthday(name: str, default: str) -> tuple[int, int]:
    value = env(name, default)
    try:
        month, day = (int(part) for part in value.split("-"))
        datetime.date(2000, month, day)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be MM-DD, not {value!r}") from exc
    return month, day


VAR_DIR = Path(env("QUAD_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", False)
SECURE = envbool("SECURE", False)  # production behind HTTPS: see docs/deploy.md
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if SECURE:
        raise ImproperlyConfigured("SECRET_KEY must be set in production (SECURE=true)")
    # The embedded setup has no secrets worth keeping; production sets SECRET_KEY.
    SECRET_KEY = "quad-embedded-insecure-key-set-SECRET_KEY-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    # Quad's domains, lowest first (see DESIGN.md).
    "quad.core",
    "quad.accounts",
    "quad.societies",
    "quad.commerce",
    "quad.memberships",
    "quad.events",
    "quad.shop",
    "quad.elections",
    "quad.news",
    "quad.mailings",
    "quad.chat",
    "quad.conduct",
    "quad.privacy",
    "quad.su",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "quad.core.middleware.SyncChainMiddleware",  # last: one thread per request under ASGI (see its docstring)
]

ROOT_URLCONF = "quad.urls"
WSGI_APPLICATION = "quad.wsgi.application"
ASGI_APPLICATION = "quad.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "quad" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "quad.core.context_processors.union",
            ],
            "builtins": ["quad.core.templatetags.quad"],
        },
    }
]

# Database: SQLite in WAL mode by default, PostgreSQL through DATABASE_URL.
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    # Under ASGI every request runs in a thread of its own, so persistent connections (CONN_MAX_AGE)
    # pile up, one per request in flight, until PostgreSQL refuses more. Django's advice is a pool:
    # each process keeps at most DB_POOL_MAX_SIZE connections and a request waits for a free one.
    # DB_POOL_MAX_SIZE=0 turns the pool off (a connection per request, or DB_CONN_MAX_AGE seconds).
    DB_POOL_MAX_SIZE = envint("DB_POOL_MAX_SIZE", 10)
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_POOL_MAX_SIZE > 0:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(2, DB_POOL_MAX_SIZE),
            "max_size": DB_POOL_MAX_SIZE,
            "timeout": envint("DB_POOL_TIMEOUT", 30),
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = envint("DB_CONN_MAX_AGE", 0)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(VAR_DIR / "quad.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so two
                # writers queue instead of failing half-way (see DESIGN.md, capacity).
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "quad" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
# The embedded setup serves uploads itself; at scale a web server or object store does.
SERVE_MEDIA = envbool("SERVE_MEDIA", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"),
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Cache: local memory by default, Redis through REDIS_URL.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "quad"}}

# Realtime chat: Channels' in-memory layer in the embedded setup (one server process); channels_redis
# when REDIS_URL is set, so several ASGI servers share the sockets' traffic. The Redis connection is
# configured explicitly: the layer waits on Redis up to 5 s at a time for new events, so the socket
# timeout must be longer than that or idle connections are dropped mid-wait; and the pool must hold a
# burst of sends (redis-py refuses connections past max_connections rather than queueing them).
CHAT_REDIS_SOCKET_TIMEOUT = envint("CHAT_REDIS_SOCKET_TIMEOUT", 15)
CHAT_REDIS_POOL_SIZE = envint("CHAT_REDIS_POOL_SIZE", 200)
CHAT_REDIS_GROUP_EXPIRY = envint("CHAT_REDIS_GROUP_EXPIRY", 3600)
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": CHAT_REDIS_SOCKET_TIMEOUT,
                        "socket_connect_timeout": 5,
                        "socket_keepalive": True,
                        "health_check_interval": 30,
                        "retry_on_timeout": True,
                        "max_connections": CHAT_REDIS_POOL_SIZE,
                    }
                ],
                "prefix": env("CHAT_REDIS_PREFIX", "quad"),
                "capacity": 1000,  # events waiting for one server process
                "expiry": 30,
                # A crashed or redeployed server drops out of its groups within this; live hubs renew.
                "group_expiry": CHAT_REDIS_GROUP_EXPIRY,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}}

# Background tasks: django-tasks with the database backend; `manage.py db_worker` runs them.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Email: files in the embedded setup, SMTP when EMAIL_HOST is set, or an email service through
# django-anymail when ANYMAIL_ESP names one (its settings come from ANYMAIL_<SETTING> variables,
# e.g. ANYMAIL_MAILGUN_API_KEY; see docs/deploy.md).
EMAIL_HOST = env("EMAIL_HOST")
ANYMAIL_ESP = env("ANYMAIL_ESP")
if ANYMAIL_ESP:
    EMAIL_BACKEND = f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"
    ANYMAIL = {
        name.removeprefix("ANYMAIL_"): value
        for name, value in os.environ.items()
        if name.startswith("ANYMAIL_") and name != "ANYMAIL_ESP"
    }
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Quad <no-reply@union.example.ac.uk>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The union.
UNION_NAME = env("UNION_NAME", "Quad Students' Union")
UNION_EMAIL_DOMAIN = env("UNION_EMAIL_DOMAIN", "union.example.ac.uk")
# Only addresses on these domains become students; everyone else is a visitor.
STUDENT_EMAIL_DOMAINS = [d.lower() for d in envlist("STUDENT_EMAIL_DOMAINS", "student.example.ac.uk")]
ACADEMIC_YEAR_START = envmonthday("ACADEMIC_YEAR_START", "08-01")
GDPR_TRAINING_VALID_DAYS = envint("GDPR_TRAINING_VALID_DAYS", 365)
GDPR_TRAINING_PASS_MARK = envint("GDPR_TRAINING_PASS_MARK", 80)
LOGO_MAX_BYTES = envint("LOGO_MAX_BYTES", 2 * 1024 * 1024)

# Society email (mailings). Mail goes out From the union's domain under the society's name,
# with the society's own address as Reply-To.
# Where people write about their data (named on the privacy notice).
PRIVACY_CONTACT_EMAIL = env("PRIVACY_CONTACT_EMAIL", f"dataprotection@{UNION_EMAIL_DOMAIN}")
MAILINGS_FROM_EMAIL = env("MAILINGS_FROM_EMAIL", f"societies@{UNION_EMAIL_DOMAIN}")
# Mailings one society may send (or schedule) per day.
MAILINGS_DAILY_CAP = envint("MAILINGS_DAILY_CAP", 3)
# Recipients a worker claims at a time, sending them over one SMTP connection.
MAILINGS_BATCH_SIZE = envint("MAILINGS_BATCH_SIZE", 100)
# Recipients per background task: a mailing is split into tasks so several workers can share it.
MAILINGS_TASK_SIZE = envint("MAILINGS_TASK_SIZE", 1000)
# Attempts per recipient before the delivery is marked failed; retries back off exponentially.
MAILINGS_MAX_ATTEMPTS = envint("MAILINGS_MAX_ATTEMPTS", 5)
MAILINGS_RETRY_SECONDS = envint("MAILINGS_RETRY_SECONDS", 60)
# A claim by a worker on another machine that has not finished in this many seconds is released.
MAILINGS_CLAIM_TIMEOUT = envint("MAILINGS_CLAIM_TIMEOUT", 600)
# Members who have not been emailed for this many days are flagged to the committee (guidance O10).
MAILINGS_STALE_DAYS = envint("MAILINGS_STALE_DAYS", 30)
# Group chats: messages one member may post a minute (flooding), across all groups.
CHAT_RATE_LIMIT_PER_MINUTE = envint("CHAT_RATE_LIMIT_PER_MINUTE", 20)
# Automatic flagging (docs/moderation.md). The scorer, by dotted path, runs in the background after each
# message is saved; at or above the flag threshold the message joins the moderators' review queue (never
# hidden automatically). Before posting, the fast lexical check asks the poster to think again at or above
# the nudge threshold. Scores run from 0 to 1.
CHAT_SCORER = env("CHAT_SCORER", "quad.chat.scoring.lexical.LexicalScorer")
CHAT_NUDGE_THRESHOLD = envfloat("CHAT_NUDGE_THRESHOLD", 0.5)
CHAT_FLAG_THRESHOLD = envfloat("CHAT_FLAG_THRESHOLD", 0.5)
# Mentions not read after this many minutes are emailed in a digest (never in quiet hours).
CHAT_DIGEST_AFTER_MINUTES = envint("CHAT_DIGEST_AFTER_MINUTES", 30)
# Messages older than this many days are deleted by the daily sweep, unless an open case holds them.
CHAT_RETENTION_DAYS = envint("CHAT_RETENTION_DAYS", 365)
# Quiet hours (guidance W15), local time: mail sent then waits for the morning unless staff mark it urgent.
QUIET_HOURS_START = envtime("QUIET_HOURS_START", "22:00")
QUIET_HOURS_END = envtime("QUIET_HOURS_END", "08:00")
# Code of conduct: a report no moderator has acted on in this many hours goes to union staff.
CONDUCT_ESCALATE_AFTER_HOURS = envint("CONDUCT_ESCALATE_AFTER_HOURS", 48)
# Where alerts about reports and cases go; empty: every active union staff account.
CONDUCT_ALERT_EMAILS = envlist("CONDUCT_ALERT_EMAILS", "")
# Messages either side of a reported message kept with the report as evidence.
CONDUCT_EVIDENCE_CONTEXT = envint("CONDUCT_EVIDENCE_CONTEXT", 5)
# Retention (GDPR storage limitation), in days; the daily `apply_retention` sweep removes what is older.
# Chat messages use CHAT_RETENTION_DAYS above. Closed cases go with their reports and evidence.
RETENTION_CLOSED_CASES_DAYS = envint("RETENTION_CLOSED_CASES_DAYS", 730)
# Per-recipient delivery records of member email (addresses, opened/bounced), after the send.
RETENTION_DELIVERY_LOGS_DAYS = envint("RETENTION_DELIVERY_LOGS_DAYS", 180)
# The audit log; six years by default because it holds the trail of money (refunds, payments).
RETENTION_AUDIT_EVENTS_DAYS = envint("RETENTION_AUDIT_EVENTS_DAYS", 2190)
# Who looked at whose personal data.
RETENTION_ACCESS_LOG_DAYS = envint("RETENTION_ACCESS_LOG_DAYS", 730)
# Accounts of former students: erased this many days after their course ended if unused since.
RETENTION_FORMER_MEMBERS_DAYS = envint("RETENTION_FORMER_MEMBERS_DAYS", 365)

# Payments. `test` is the embedded default: a clearly labelled page, no real money.
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", "test")
if PAYMENT_PROVIDER not in {"test", "stripe"}:
    raise ImproperlyConfigured(f"PAYMENT_PROVIDER must be test or stripe, not {PAYMENT_PROVIDER!r}")
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
if PAYMENT_PROVIDER == "stripe" and not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET):
    raise ImproperlyConfigured("PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET")
CURRENCY = env("CURRENCY", "gbp")
# How long a pending order holds its places before they are released.
ORDER_HOLD_MINUTES = envint("ORDER_HOLD_MINUTES", 15)
# Days after joining in which a member may ask for a refund of their membership.
MEMBERSHIP_COOLING_OFF_DAYS = envint("MEMBERSHIP_COOLING_OFF_DAYS", 14)
# How long a place offered to the next person on an event's waiting list is held for them.
WAITING_LIST_OFFER_HOURS = envint("WAITING_LIST_OFFER_HOURS", 12)
# Students are told this many days before their course ends what graduating means in Quad.
GRADUATE_NOTICE_DAYS = envint("GRADUATE_NOTICE_DAYS", 14)

# Periodic jobs: idempotent management commands and how often (seconds) `manage.py serve` runs
# them. At scale run the same commands from cron or systemd timers (docs/deploy.md).
PERIODIC_JOBS = [
    ("expire_orders", 60),
    ("end_memberships", 3600),
    ("graduate_sweep", 86400),
    ("send_due_mailings", 60),
    ("resume_mailings", 300),
    ("send_chat_digests", 900),
    ("post_scheduled_messages", 60),
    ("apply_retention", 86400),
    ("escalate_reports", 600),
]

# Accounts (django-allauth): email and password, mandatory verification.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{UNION_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_ADAPTER = "quad.accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "quad.accounts.forms.SignupForm"}
ACCOUNT_REAUTHENTICATION_TIMEOUT = envint("REAUTHENTICATION_TIMEOUT", 300)
# Rate limits, in allauth's notation: action -> "count/period/key".
ACCOUNT_RATE_LIMITS = {
    "login": env("RATE_LIMIT_LOGIN", "30/m/ip"),
    "login_failed": env("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "signup": env("RATE_LIMIT_SIGNUP", "20/m/ip"),
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
LOGIN_REDIRECT_URL = "accounts:home"
LOGIN_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = UNION_NAME

# University single sign-on (OpenID Connect), off unless configured.
SOCIALACCOUNT_ADAPTER = "quad.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {}
if env("OIDC_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": env("OIDC_PROVIDER_ID", "university"),
                "name": env("OIDC_NAME", "University sign-in"),
                "client_id": env("OIDC_CLIENT_ID"),
                "secret": env("OIDC_CLIENT_SECRET"),
                "settings": {"server_url": env("OIDC_SERVER_URL")},
            }
        ]
    }

# Security. Production sets SECURE=true (see docs/deploy.md); `check --deploy` then passes.
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and envbool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE and envbool("SECURE_HSTS_PRELOAD", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The worker logs every task at INFO; that drowns `make run`'s output.
        "django_tasks": {"level": env("TASKS_LOG_LEVEL", "WARNING")},
        "django_tasks_db": {"level": env("TASKS_LOG_LEVEL", "WARNING")},
    },
}
