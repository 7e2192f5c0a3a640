"""WordPress from Debian's packages (6.1.x) under nginx + php-fpm + MariaDB: the second peer.

Installed by the bench when missing (root only, apt-get: `wordpress`, its classic and
block default themes, `php-fpm`, `php-mysql`; `apache2` and its PHP module refused so
that nothing else lands on port 80, and a temporary /usr/sbin/policy-rc.d that exits 101
keeps the packages from starting any service). Then, every process started here runs in
a session of its own and is stopped by its PID:

- MariaDB: the one already listening on 127.0.0.1:3306 (root, no password) when there
  is one, in a database of the bench's own (`bench_wordpress`, the only one ever
  dropped); otherwise a mariadbd of the bench's own (datadir, socket and port under
  bench/.work/wordpress/);
- php-fpm: 2 static children (as the issue measured), OPcache on (Debian's default);
- nginx: one port straight to php-fpm, one through `fastcgi_cache` (what a WordPress site
  puts in front of anonymous readers, against Broadsheet's anonymous page cache).

Debian's wp-config.php loads /etc/wordpress/config-<WORDPRESS_CONFIG>.php: the bench
writes config-bench-wordpress.php there for the run and removes it afterwards. Seeding
and settings go through WordPress's own API (`wp_insert_comment`, `update_option`,
`switch_theme`) from PHP CLI scripts that `require wp-load.php` (Debian has no WP-CLI).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.plan import PlannedComment
from bench.servers import HOST, Server, free_port, running

PACKAGES = (
    "wordpress",
    "wordpress-theme-twentytwentyone",
    "wordpress-theme-twentytwentythree",
    "php-fpm",
    "php-mysql",
    "mariadb-server",
    "nginx-light",
)
REFUSED = ("apache2-", "libapache2-mod-php8.2-")  # apt's "install minus" syntax
WP_ROOT = Path("/usr/share/wordpress")
CONFIG_NAME = "bench-wordpress"
CONFIG_FILE = Path(f"/etc/wordpress/config-{CONFIG_NAME}.php")
DATABASE = "bench_wordpress"
CLASSIC_THEME = "twentytwentyone"  # PHP templates
BLOCK_THEME = "twentytwentythree"  # WordPress 6.1's default, a block theme
# Top-level comments per comment page: Broadsheet's default discussion page size
# (BROADSHEET_DISCUSSION_PAGE_SIZE), so both first pages hold the same threads, as the
# WordPress targets are like for like. WordPress's own default is 50.
THREADS_PER_PAGE = 20
PHP_CHILDREN = 2


class Unavailable(Exception):
    """WordPress cannot run here (packages missing and not installable): skipped."""


@dataclass(frozen=True)
class Database:
    host: str
    port: int


@dataclass(frozen=True)
class Site:
    url: str  # straight to php-fpm
    cached_url: str  # through nginx's fastcgi_cache
    nginx: Server
    php: Server
    database: Database
    work: Path


@dataclass(frozen=True)
class SeededPost:
    size: int
    post_id: int
    path: str  # the story page (first comment page)
    comment_ids: list[int]
    seed_seconds: float


def _php_fpm() -> Path | None:
    found = sorted(Path("/usr/sbin").glob("php-fpm*"))
    return found[-1] if found else None


def _missing() -> list[str]:
    checks = {
        "wordpress": (WP_ROOT / "wp-load.php").exists(),
        "wordpress-theme-twentytwentyone": (WP_ROOT / "wp-content/themes" / CLASSIC_THEME).exists(),
        "wordpress-theme-twentytwentythree": (WP_ROOT / "wp-content/themes" / BLOCK_THEME).exists(),
        "php-fpm": _php_fpm() is not None,
        "php-mysql": _php_has("mysqli"),
        "mariadb-server": Path("/usr/sbin/mariadbd").exists(),
        "nginx-light": Path("/usr/sbin/nginx").exists(),
    }
    return [package for package, ok in checks.items() if not ok]


def _php_has(module: str) -> bool:
    if not shutil.which("php"):
        return False
    done = subprocess.run(["php", "-m"], capture_output=True, text=True, check=False)
    return module in done.stdout.split()


def install() -> None:
    """Debian's packages, when missing; raises Unavailable with the reason otherwise."""
    missing = _missing()
    if not missing:
        return
    if os.geteuid() != 0:
        raise Unavailable(f"needs the Debian packages {' '.join(missing)} (run as root to install)")
    policy = Path("/usr/sbin/policy-rc.d")
    ours = not policy.exists()
    try:
        if ours:  # keep the packages from starting nginx, php-fpm or mariadb on install
            policy.write_text("#!/bin/sh\nexit 101\n")
            policy.chmod(0o755)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        done = subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, *REFUSED],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        if ours:
            policy.unlink(missing_ok=True)
    if done.returncode != 0 or _missing():
        raise Unavailable(f"apt-get could not install {' '.join(missing)}: {done.stderr[-500:]}")


# --- MariaDB -----------------------------------------------------------------------------


def _sql(database: Database, statement: str, *, db: str = "") -> str:
    command = ["mariadb", "-h", database.host, "-P", str(database.port), "-u", "root", "-N", "-B"]
    done = subprocess.run(
        [*command, *([db] if db else []), "-e", statement],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"mariadb: {done.stderr.strip()}")
    return done.stdout


def _reachable(database: Database) -> bool:
    try:
        _sql(database, "SELECT 1")
    except (RuntimeError, OSError, subprocess.TimeoutExpired):
        return False
    return True


@contextmanager
def mariadb(work: Path) -> Iterator[Database]:
    """The machine's MariaDB on 127.0.0.1:3306 if it answers, else one of the bench's own."""
    shared = Database(HOST, 3306)
    if _reachable(shared):
        yield shared
        return
    datadir = work / "mariadb"
    if not (datadir / "mysql").exists():
        datadir.mkdir(parents=True, exist_ok=True)
        shutil.chown(datadir, "mysql", "mysql")
        subprocess.run(
            [
                "mariadb-install-db",
                "--user=mysql",
                f"--datadir={datadir}",
                "--auth-root-authentication-method=normal",
            ],
            check=True,
            capture_output=True,
        )
    port = free_port()
    command = [
        "/usr/sbin/mariadbd",
        "--user=mysql",
        f"--datadir={datadir}",
        f"--socket={work / 'mariadb.sock'}",
        f"--pid-file={work / 'mariadb.pid'}",
        f"--bind-address={HOST}",
        f"--port={port}",
        "--skip-log-bin",
    ]
    own = Database(HOST, port)
    log = work / "mariadb.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(name="mariadb", process=process, port=port, log=log)
    try:
        deadline = time.monotonic() + 60
        while not _reachable(own):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mariadbd did not start: {log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield own
    finally:
        from bench.servers import stop

        stop(server)


# --- the site ----------------------------------------------------------------------------


def _write_config(database: Database, home: str) -> None:
    CONFIG_FILE.parent.mkdir(parents=True, exist_ok=True)
    CONFIG_FILE.write_text(
        f"""<?php
// Written by Broadsheet's bench for one run; removed when it ends.
define('DB_NAME', '{DATABASE}');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', '{database.host}:{database.port}');
define('WP_HOME', '{home}');
define('WP_SITEURL', '{home}');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
$table_prefix = 'wp_';
"""
    )
    CONFIG_FILE.chmod(0o644)


PHP_FPM_CONFIG = """\
[global]
pid = {work}/php-fpm.pid
error_log = {work}/php-fpm-error.log
daemonize = no

[bench]
user = www-data
group = www-data
listen = {work}/php-fpm.sock
listen.mode = 0666
pm = static
pm.max_children = {children}
clear_env = no
catch_workers_output = yes
"""

NGINX_CONFIG = """\
worker_processes {workers};
daemon off;
master_process on;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    include /etc/nginx/mime.types;
    # As Debian's own nginx.conf and the bench's static nginx (bench/servers.py): cache
    # hits are sent from their files by sendfile, not read through nginx's buffers.
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_max_body_size 1m;
    fastcgi_cache_path {work}/fastcgi-cache levels=1:2 keys_zone=wordpress:32m inactive=1h;
    upstream php {{ server unix:{work}/php-fpm.sock; }}
    server {{
        listen {host}:{port};
        root {root};
        index index.php;
        location / {{ try_files $uri $uri/ /index.php?$args; }}
        location ~ \\.php$ {{
{php_direct}
        }}
    }}
    server {{
        listen {host}:{cached_port};
        root {root};
        index index.php;
        # What WordPress guides set: anonymous GETs cached, commenters and users not.
        set $skip 0;
        if ($request_method = POST) {{ set $skip 1; }}
        if ($query_string != "") {{ set $skip 1; }}
        if ($http_cookie ~* "comment_author|wordpress_[a-f0-9]+|wp-postpass|wordpress_logged_in") {{
            set $skip 1;
        }}
        location / {{ try_files $uri $uri/ /index.php?$args; }}
        location ~ \\.php$ {{
            fastcgi_cache wordpress;
            fastcgi_cache_key "$scheme$request_method$host$request_uri";
            fastcgi_cache_valid 200 301 302 10m;
            fastcgi_cache_bypass $skip;
            fastcgi_no_cache $skip;
            fastcgi_cache_lock on;
            add_header X-FastCGI-Cache $upstream_cache_status;
{php_cached}
        }}
    }}
}}
"""

PHP_LOCATION = """\
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            fastcgi_param WORDPRESS_CONFIG {config};
            # Debian's fastcgi_params pass $host, without the port: WordPress would then
            # redirect every page to itself (its home URL has the port). The cached port
            # serves the same site: the site's own host, so no redirect to the other port.
            fastcgi_param HTTP_HOST {site_host};
            # The load generator claims one reader address per request, as a reverse
            # proxy would pass it (WordPress's flood check counts per address).
            fastcgi_param REMOTE_ADDR $http_x_forwarded_for if_not_empty;
            fastcgi_pass php;"""


def _php_cli(script: str, *args: str, home: str, work: Path) -> str:
    """Run a PHP script of the bench's (inline) with WordPress loaded."""
    path = work / "script.php"
    path.write_text(script)
    done = subprocess.run(
        ["php", "-d", "memory_limit=1G", str(path), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "WORDPRESS_CONFIG": CONFIG_NAME, "BENCH_HOME": home},
        timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"php failed ({done.returncode}): {done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return done.stdout


_PHP_BOOT = """<?php
$_SERVER['WORDPRESS_CONFIG'] = getenv('WORDPRESS_CONFIG');
$_SERVER['HTTP_HOST'] = parse_url(getenv('BENCH_HOME'), PHP_URL_HOST);
$_SERVER['REQUEST_URI'] = '/';
"""

PHP_INSTALL = (
    _PHP_BOOT
    + """
define('WP_INSTALLING', true);
require ABSPATH_PLACEHOLDER . 'wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install('Broadsheet bench', 'bench', 'bench@example.org', true, '', wp_generate_password(24));
// Threaded comments, paged: THREADS top-level comments per page, oldest first (the
// first page holds the first threads, as Broadsheet's "oldest" sort does); no
// moderation queue for a first-time commenter (Broadsheet publishes at once too).
$options = array(
    'thread_comments' => 1, 'thread_comments_depth' => 10, 'page_comments' => 1,
    'comments_per_page' => THREADS, 'default_comments_page' => 'oldest',
    'comment_order' => 'asc', 'comment_moderation' => 0, 'comment_previously_approved' => 0,
    'require_name_email' => 1, 'comment_registration' => 0, 'show_avatars' => 0,
    'close_comments_for_old_posts' => 0, 'permalink_structure' => '/%postname%/',
);
foreach ($options as $name => $value) { update_option($name, $value); }
delete_option('rewrite_rules');
echo "ok\\n";
"""
)

PHP_SEED = (
    _PHP_BOOT
    + """
require ABSPATH_PLACEHOLDER . 'wp-load.php';
$plan = json_decode(file_get_contents($argv[1]), true);
$post_id = wp_insert_post(array(
    'post_title' => $plan['title'], 'post_name' => $plan['slug'],
    'post_content' => $plan['content'], 'post_status' => 'publish',
    'comment_status' => 'open', 'post_date' => '2026-01-01 08:00:00',
), true);
if (is_wp_error($post_id)) { fwrite(STDERR, $post_id->get_error_message()); exit(1); }
$ids = array();
$start = strtotime('2026-01-01 09:00:00');
wp_defer_comment_counting(true);
foreach ($plan['comments'] as $n => $c) {
    $id = wp_insert_comment(array(
        'comment_post_ID' => $post_id,
        'comment_parent' => $c['parent'] === null ? 0 : $ids[$c['parent']],
        'comment_author' => $c['author'], 'comment_author_email' => $c['email'],
        'comment_content' => $c['body'], 'comment_approved' => 1,
        'comment_author_IP' => '192.0.2.' . ($n % 250 + 1),
        'comment_date' => gmdate('Y-m-d H:i:s', $start + 60 * $n),
        'comment_date_gmt' => gmdate('Y-m-d H:i:s', $start + 60 * $n),
    ));
    if (!$id) { fwrite(STDERR, "comment $n refused"); exit(1); }
    $ids[] = $id;
}
wp_defer_comment_counting(false);
wp_update_comment_count_now($post_id);
$path = wp_make_link_relative(get_permalink($post_id));
echo json_encode(array('post_id' => $post_id, 'path' => $path, 'ids' => $ids));
"""
)

PHP_THEME = (
    _PHP_BOOT
    + """
require ABSPATH_PLACEHOLDER . 'wp-load.php';
switch_theme($argv[1]);
echo get_stylesheet() . "\\n";
"""
)


def _script(text: str) -> str:
    return text.replace("ABSPATH_PLACEHOLDER", repr(str(WP_ROOT) + "/")).replace(
        "THREADS", str(THREADS_PER_PAGE)
    )


@contextmanager
def serve(work: Path, *, nginx_workers: int, children: int = PHP_CHILDREN) -> Iterator[Site]:
    """MariaDB (shared or own), a fresh `bench_wordpress`, php-fpm and nginx; all the
    processes started here are stopped on exit and the config file removed."""
    php_fpm = _php_fpm()
    if php_fpm is None:
        raise Unavailable("php-fpm is not installed")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    work.chmod(0o755)  # nginx workers (nobody) and php-fpm children (www-data) read it
    port, cached_port = free_port(), free_port()
    home = f"http://{HOST}:{port}"
    with ExitStack() as stack:
        database = stack.enter_context(mariadb(work))
        _sql(database, f"DROP DATABASE IF EXISTS {DATABASE}")
        _sql(database, f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4")
        _write_config(database, home)
        stack.callback(CONFIG_FILE.unlink, missing_ok=True)
        _php_cli(_script(PHP_INSTALL), home=home, work=work)
        fpm_config = work / "php-fpm.conf"
        fpm_config.write_text(PHP_FPM_CONFIG.format(work=work, children=children))
        php = stack.enter_context(
            running(
                "php-fpm",
                [str(php_fpm), "--nodaemonize", "--fpm-config", str(fpm_config)],
                port=port,
                log=work / "php-fpm.log",
                ready_path=None,
                cwd=work,
            )
        )
        _wait_for(work / "php-fpm.sock", php)
        site_host = f"{HOST}:{port}"
        nginx_config = work / "nginx.conf"
        nginx_config.write_text(
            NGINX_CONFIG.format(
                workers=nginx_workers,
                work=work,
                host=HOST,
                port=port,
                cached_port=cached_port,
                root=WP_ROOT,
                php_direct=PHP_LOCATION.format(config=CONFIG_NAME, site_host="$http_host"),
                php_cached=PHP_LOCATION.format(config=CONFIG_NAME, site_host=site_host),
            )
        )
        binary = "/usr/sbin/nginx"
        nginx = stack.enter_context(
            running(
                "nginx (WordPress)",
                [
                    binary,
                    "-c",
                    str(nginx_config),
                    "-p",
                    str(work),
                    "-e",
                    str(work / "nginx-error.log"),
                ],
                port=port,
                log=work / "nginx.log",
                ready_path="/",
                cwd=work,
            )
        )
        yield Site(
            url=home,
            cached_url=f"http://{HOST}:{cached_port}",
            nginx=nginx,
            php=php,
            database=database,
            work=work,
        )


def _wait_for(socket_path: Path, server: Server, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not socket_path.exists():
        if server.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"php-fpm did not start: {server.log.read_text()[-2000:]}")
        time.sleep(0.2)


def seed(site: Site, size: int, plan: list[PlannedComment]) -> SeededPost:
    """A story post with `plan` inserted in order through wp_insert_comment."""
    started = time.perf_counter()
    document = {
        "title": f"A story with {size} comments",
        "slug": f"story-{size}",
        "content": "\n\n".join(f"<p>{c.body}</p>" for c in plan[:6]),
        "comments": [
            {"parent": c.parent, "author": c.author, "email": c.email, "body": c.body} for c in plan
        ],
    }
    plan_file = site.work / f"plan-{size}.json"
    plan_file.write_text(json.dumps(document))
    answer = json.loads(_php_cli(_script(PHP_SEED), str(plan_file), home=site.url, work=site.work))
    return SeededPost(
        size=size,
        post_id=int(answer["post_id"]),
        path=str(answer["path"]),
        comment_ids=[int(pk) for pk in answer["ids"]],
        seed_seconds=round(time.perf_counter() - started, 2),
    )


def use_theme(site: Site, theme: str) -> None:
    shown = _php_cli(_script(PHP_THEME), theme, home=site.url, work=site.work).strip()
    if shown != theme:
        raise RuntimeError(f"WordPress kept theme {shown!r} instead of {theme!r}")
    purge_page_cache(site)


def purge_page_cache(site: Site) -> None:
    """Empty nginx's cache (its files; nginx keeps the directory and the zone)."""
    for entry in (site.work / "fastcgi-cache").glob("*"):
        shutil.rmtree(entry, ignore_errors=True)


def rest_listing(post: SeededPost) -> str:
    return f"/wp-json/wp/v2/comments?post={post.post_id}&per_page=100"


def comments_on_page(html: bytes) -> int:
    """Comments rendered on a story page (each is an element with id="comment-N")."""
    return len(set(re.findall(rb'id="comment-(\d+)"', html)))


def _rows(site: Site, statement: str) -> list[str]:
    return [line for line in _sql(site.database, statement, db=DATABASE).splitlines() if line]


def _tagged(tag: str) -> str:
    """The WHERE clause for a run's comments; tags are the bench's own ("pw1")."""
    if not re.fullmatch(r"[a-z0-9]+", tag):
        raise ValueError(f"unexpected run tag {tag!r}")
    return f"comment_content LIKE '%{tag}x%'"


def count_comments(site: Site) -> int:
    return int(_rows(site, "SELECT count(*) FROM wp_comments")[0])


def stored_tokens(site: Site, tag: str) -> list[str]:
    """One entry per stored comment carrying a token of `tag`: "<tag>x<comment id>x0",
    the form write.lua records for an acknowledged post (WordPress answers a posted
    comment with a redirect to #comment-<id>, not with the text)."""
    rows = _rows(site, "SELECT comment_ID FROM wp_comments WHERE " + _tagged(tag))  # noqa: S608
    return [f"{tag}x{pk}x0" for pk in rows]


def duplicated_bodies(site: Site, tag: str) -> int:
    """Comments stored twice from one request (the same body token on two rows)."""
    rows = _rows(
        site,
        "SELECT comment_content FROM wp_comments WHERE " + _tagged(tag),  # noqa: S608
    )
    found = [m for text in rows for m in re.findall(re.escape(tag) + r"x\d+x\d+", text)]
    return len(found) - len(set(found))


def held_with_tag(site: Site, tag: str) -> int:
    rows = _rows(
        site,
        "SELECT count(*) FROM wp_comments WHERE comment_approved != '1' AND " + _tagged(tag),  # noqa: S608
    )
    return int(rows[0])
