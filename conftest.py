import os

os.environ.setdefault("ZHIDU_TESTING", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
