#!/usr/bin/env bash
# WordPress, the incumbent, for bench/run.sh: Debian's wordpress package on PHP-FPM (Debian's
# defaults: 5 workers, opcache on) + MariaDB + nginx, on 127.0.0.1:18082, seeded by direct SQL
# with the same articles and comments that bench/generate gives Gazette.
#
#   bench/wordpress.sh setup ARTICLES COMMENTS   # install (apt-get), configure, seed; idempotent
#   bench/wordpress.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
dir="$root/bench/.cache/wordpress"
port=18082
mkdir -p "$dir"
# The PHP socket must be reachable by www-data, wherever the checkout is.
run=/run/gazette-bench-wordpress
mkdir -p "$run"

stop() {
    [ -f "$run/nginx.pid" ] && kill "$(cat "$run/nginx.pid")" 2>/dev/null || true
    [ -f "$run/php-fpm.pid" ] && kill "$(cat "$run/php-fpm.pid")" 2>/dev/null || true
    rm -f "$run/nginx.pid" "$run/php-fpm.pid"
}

if [ "${1:-}" = stop ]; then stop; exit 0; fi
[ "${1:-}" = setup ] || { echo "usage: $0 setup ARTICLES COMMENTS | stop" >&2; exit 2; }
articles=$2
comments=$3

if ! [ -d /usr/share/wordpress ] || ! command -v php-fpm8.2 >/dev/null || ! command -v nginx >/dev/null; then
    echo "installing wordpress, php-fpm, php-mysql, nginx, mariadb (Debian packages)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wordpress php-fpm php-mysql nginx-light mariadb-server >/dev/null
fi
if ! mysqladmin ping >/dev/null 2>&1; then
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    for _ in $(seq 1 60); do mysqladmin ping >/dev/null 2>&1 && break; sleep 0.5; done
fi

stop
# PHP-FPM with Debian's pool settings (pm = dynamic, max_children = 5), opcache on (default).
php_conf="$dir/php-fpm.conf"
sed -e "s|^pid = .*|pid = $run/php-fpm.pid|" -e "s|^error_log = .*|error_log = $run/php-fpm.log|" \
    -e "s|^include=.*|include=$dir/pool.conf|" /etc/php/8.2/fpm/php-fpm.conf >"$php_conf"
sed -e "s|^listen = .*|listen = $run/php-fpm.sock|" -e "s|^user = .*|user = www-data|" -e "s|^group = .*|group = www-data|" \
    /etc/php/8.2/fpm/pool.d/www.conf >"$dir/pool.conf"
php-fpm8.2 --fpm-config "$php_conf"

cat >"$dir/nginx.conf" <<CONF
user www-data;
worker_processes auto;
pid $run/nginx.pid;
error_log $run/nginx-error.log;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path $run; proxy_temp_path $run; fastcgi_temp_path $run;
    uwsgi_temp_path $run; scgi_temp_path $run;
    server {
        listen 127.0.0.1:$port;
        root /usr/share/wordpress;
        index index.php;
        location /wp-content/ { alias /var/lib/wordpress/wp-content/; }
        location / { try_files \$uri \$uri/ /index.php?\$args; }
        location ~ \.php\$ {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
            fastcgi_read_timeout 120s;
            fastcgi_pass unix:$run/php-fpm.sock;
        }
    }
}
CONF
nginx -c "$dir/nginx.conf"

cat >/etc/wordpress/config-127.0.0.1.php <<'PHP'
<?php
define('DB_NAME', 'wpbench');
define('DB_USER', 'wpbench');
define('DB_PASSWORD', 'wpbench');
define('DB_HOST', 'localhost');
define('WP_HOME', 'http://127.0.0.1:18082');
define('WP_SITEURL', 'http://127.0.0.1:18082');
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
PHP

seeded="$dir/seeded-$articles-$comments"
if [ ! -f "$seeded" ]; then
    echo "installing WordPress into database wpbench and seeding $articles articles, $comments comments"
    mysql -e "DROP DATABASE IF EXISTS wpbench; CREATE DATABASE wpbench CHARACTER SET utf8mb4;
              CREATE USER IF NOT EXISTS 'wpbench'@'localhost' IDENTIFIED BY 'wpbench';
              GRANT ALL ON wpbench.* TO 'wpbench'@'localhost'; FLUSH PRIVILEGES;"
    rm -f "$dir"/seeded-*
    curl -s -o /dev/null --max-time 120 "http://127.0.0.1:$port/wp-admin/install.php?step=2" \
        --data-urlencode "weblog_title=WordPress bench" --data-urlencode "user_name=admin" \
        --data-urlencode "admin_password=bench password not for use" \
        --data-urlencode "admin_password2=bench password not for use" \
        --data-urlencode "admin_email=admin@bench.example" --data-urlencode "blog_public=0" \
        --data-urlencode "pw_weak=1"
    mysql -N wpbench -e "SELECT COUNT(*) FROM wp_options" >/dev/null
    # Benchmarks post from one address as fast as they can: turn off WordPress's 15-second flood
    # check (as Gazette's run raises its per-address limit); every other check stays.
    # Behind this nginx on a non-standard port, Debian's WordPress sees the host without its
    # port and would redirect every page to itself: canonical redirects are off (the benchmark
    # asks for canonical URLs anyway).
    mkdir -p /var/lib/wordpress/wp-content/mu-plugins
    cat >/var/lib/wordpress/wp-content/mu-plugins/bench.php <<'PHP'
<?php
add_filter('comment_flood_filter', '__return_false', 99);
remove_action('template_redirect', 'redirect_canonical');
PHP
    "$root/target/release/wordpress-sql" --articles "$articles" --comments "$comments" | mysql wpbench
    touch "$seeded"
fi
mysql -N wpbench -e "SELECT ID FROM wp_posts WHERE post_name = 'bench-article'" >"$dir/bench-post-id"
echo 100 >"$dir/first-post-id"
for _ in $(seq 1 60); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "http://127.0.0.1:$port/")" = 200 ] && break
    sleep 1
done
echo "WordPress ready on http://127.0.0.1:$port/ (bench post $(cat "$dir/bench-post-id"))"
