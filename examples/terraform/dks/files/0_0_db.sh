#!/bin/bash
# dks-db first-start initialisation (run by the postgres image from /docker-entrypoint-initdb.d when
# the data directory is empty): creates the application role and database the API connects with.
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${DB_ROLE_NAME}') THEN
    CREATE ROLE "${DB_ROLE_NAME}" WITH LOGIN NOSUPERUSER CREATEDB CREATEROLE INHERIT NOREPLICATION
      CONNECTION LIMIT -1 PASSWORD '${DB_ROLE_PASSWORD}';
  END IF;
END
\$\$;
SQL

if ! psql --username "$POSTGRES_USER" --dbname postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'" | grep -q 1; then
  createdb --username "$POSTGRES_USER" -O "${DB_ROLE_NAME}" -E UTF8 -T template0 --locale=en_US.utf8 "${DB_NAME}"
fi
