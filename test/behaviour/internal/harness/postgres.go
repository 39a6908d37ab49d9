package harness

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// postgresAccount is the CloudNativePG image's postgres user. initdb and
// the server look up their own user name, so it must have a passwd entry.
var postgresAccount = Account{Name: "postgres", UID: 26, GID: 26}

// StandIn is an extension installed into the private share directory of a
// Postgres: a control file and an empty install script. It lets the tests
// exercise CREATE EXTENSION, and its privilege checks, for an extension
// Debian does not package (pgvector's vector).
type StandIn struct {
	Name, Version string
	// Control is the complete <name>.control file.
	Control string
}

// PostgresOptions configure NewPostgres.
type PostgresOptions struct {
	// InitdbArgs are added to initdb's command line (encoding, locale).
	InitdbArgs []string
	StandIns   []StandIn
}

// Postgres is a PostgreSQL server on 127.0.0.1, run as uid 26 from a
// private copy of the installation. Superuser "postgres" and trust
// authentication: the tests check roles and privileges, not passwords.
type Postgres struct {
	Host      string
	Port      int
	Superuser string

	dir, bin, data, sock string
	server
}

// Addr is "127.0.0.1:port".
func (pg *Postgres) Addr() string { return net.JoinHostPort(pg.Host, strconv.Itoa(pg.Port)) }

// NewPostgres prepares a server: a private installation with opts'
// stand-in extensions, a free port and an initdb'd data directory. It does
// not start it (so a test can first prove that a script waits while the
// port is closed); Start does. A t.Cleanup stops it.
func NewPostgres(t testing.TB, opts PostgresOptions) *Postgres {
	t.Helper()
	dir := SharedTempDir(t)
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	pg := &Postgres{Host: "127.0.0.1", Port: port, Superuser: "postgres", dir: dir,
		data: filepath.Join(dir, "data"), sock: filepath.Join(dir, "run")}
	t.Cleanup(func() {
		if err := pg.Stop(); err != nil {
			t.Error(err)
		}
	})
	if pg.bin, err = privateInstall(filepath.Join(dir, "install"), opts.StandIns); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{pg.data, pg.sock} {
		if err := MkdirOwned(d, 0o700, postgresAccount.UID, postgresAccount.GID); err != nil {
			t.Fatal(err)
		}
	}
	// As CloudNativePG runs it (pkg/management/postgres/initdb.go:
	// --username postgres -D PGDATA, then the Cluster's options), plus
	// trust auth and no fsync for a throwaway server.
	args := append([]string{filepath.Join(pg.bin, "initdb"), "--username", "postgres", "-D", pg.data,
		"--auth", "trust", "--no-sync"}, opts.InitdbArgs...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if out, err := pg.runAsPostgres(ctx, args...); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	return pg
}

// StartPostgres is NewPostgres then Start.
func StartPostgres(t testing.TB, opts PostgresOptions) *Postgres {
	t.Helper()
	pg := NewPostgres(t, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := pg.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return pg
}

func (pg *Postgres) env() []string {
	return []string{"PATH=" + pg.bin + ":/usr/bin:/bin", "LANG=C.UTF-8", "HOME=" + pg.dir}
}

func (pg *Postgres) identity() Identity {
	return Identity{UID: postgresAccount.UID, GID: postgresAccount.GID, Accounts: []Account{postgresAccount}}
}

// runAsPostgres runs a short command as uid 26 and returns its output.
func (pg *Postgres) runAsPostgres(ctx context.Context, argv ...string) (string, error) {
	cmd, err := RunAs(pg.dir, pg.identity(), pg.env(), argv...)
	if err != nil {
		return "", err
	}
	p, err := Start(filepath.Base(argv[0]), cmd)
	if err != nil {
		return "", err
	}
	select {
	case <-p.Done():
	case <-ctx.Done():
		_ = p.Stop(nil, 0)
		return p.Output(), fmt.Errorf("%s: %w", argv[0], ctx.Err())
	}
	if code, _ := p.Exited(); code != 0 {
		return p.Output(), fmt.Errorf("%s exited with status %d", argv[0], code)
	}
	return p.Output(), nil
}

// Start starts the server and returns once it accepts connections, or
// with an error (and the server's log) when it does not before ctx ends.
func (pg *Postgres) Start(ctx context.Context) error {
	pg.mu.Lock()
	defer pg.mu.Unlock()
	if pg.proc != nil {
		return fmt.Errorf("postgres on %s: already started", pg.Addr())
	}
	// Small settings on purpose: several servers may run at once on a
	// 2-core machine, and durability is irrelevant here.
	cmd, err := RunAs(pg.dir, pg.identity(), pg.env(), filepath.Join(pg.bin, "postgres"), "-D", pg.data,
		"-c", "listen_addresses=127.0.0.1", "-c", "port="+strconv.Itoa(pg.Port),
		"-c", "unix_socket_directories="+pg.sock, "-c", "fsync=off", "-c", "full_page_writes=off",
		"-c", "synchronous_commit=off", "-c", "shared_buffers=16MB", "-c", "max_connections=40")
	if err != nil {
		return err
	}
	if pg.proc, err = Start("postgres", cmd); err != nil {
		return err
	}
	isready, err := PostgresBinDir()
	if err != nil {
		return err
	}
	isready = filepath.Join(isready, "pg_isready")
	for {
		if code, exited := pg.proc.Exited(); exited {
			return fmt.Errorf("postgres on %s exited with status %d before accepting connections:\n%s", pg.Addr(), code, pg.proc.Output())
		}
		check := exec.CommandContext(ctx, isready, "-q", "-h", pg.Host, "-p", strconv.Itoa(pg.Port), "-U", pg.Superuser, "-d", "postgres", "-t", "1")
		check.Env = pg.env()
		if check.Run() == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("postgres on %s: not accepting connections: %w\n%s", pg.Addr(), ctx.Err(), pg.proc.Output())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop shuts the server down (fast shutdown, then SIGKILL). Stopping a
// server that never started, or twice, is fine.
func (pg *Postgres) Stop() error { return pg.stop(syscall.SIGINT) }

// SQL runs one statement with psql as user in database db and returns its
// unaligned, tuples-only output. The statement runs on its own, outside a
// transaction block, like database/sql's Exec in CloudNativePG.
func (pg *Postgres) SQL(ctx context.Context, user, db, statement string) (string, error) {
	bin, err := PostgresBinDir()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "psql"), "-X", "-w", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
		"-h", pg.Host, "-p", strconv.Itoa(pg.Port), "-U", user, "-d", db, "-c", statement)
	cmd.Env = append(pg.env(), "PGCONNECT_TIMEOUT=5")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("as %s in %s: %s: %w: %s", user, db, statement, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// privateInstall builds, under root, a copy of the Debian PostgreSQL
// installation that the tests may add extensions to without touching
// /usr/share/postgresql. PostgreSQL is relocatable: a binary finds the
// share and lib directories relative to its own resolved path, so the
// tree keeps Debian's layout (usr/lib/postgresql/N/bin next to
// usr/share/postgresql/N), postgres and initdb are real copies (a symlink
// would resolve back to /usr/lib), and everything else is a symlink to the
// system's files. It returns the private bin directory.
func privateInstall(root string, standIns []StandIn) (string, error) {
	sysBin, err := PostgresBinDir()
	if err != nil {
		return "", err
	}
	major := filepath.Base(filepath.Dir(sysBin))
	sysShare := filepath.Join("/usr/share/postgresql", major)
	bin := filepath.Join(root, sysBin)
	share := filepath.Join(root, sysShare)
	for _, d := range []string{bin, filepath.Join(share, "extension")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", err
		}
	}
	if err := os.Symlink(filepath.Join(filepath.Dir(sysBin), "lib"), filepath.Join(filepath.Dir(bin), "lib")); err != nil {
		return "", err
	}
	entries, err := os.ReadDir(sysBin)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		src, dst := filepath.Join(sysBin, e.Name()), filepath.Join(bin, e.Name())
		if e.Name() == "postgres" || e.Name() == "initdb" {
			err = copyFile(src, dst, 0o755)
		} else {
			err = os.Symlink(src, dst)
		}
		if err != nil {
			return "", err
		}
	}
	if err := linkEntries(sysShare, share, "extension"); err != nil {
		return "", err
	}
	if err := linkEntries(filepath.Join(sysShare, "extension"), filepath.Join(share, "extension"), ""); err != nil {
		return "", err
	}
	for _, s := range standIns {
		ext := filepath.Join(share, "extension")
		if err := os.WriteFile(filepath.Join(ext, s.Name+".control"), []byte(s.Control), 0o644); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(ext, s.Name+"--"+s.Version+".sql"), nil, 0o644); err != nil {
			return "", err
		}
	}
	return bin, nil
}

// linkEntries symlinks every entry of src into dst, except skip.
func linkEntries(src, dst, skip string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == skip {
			continue
		}
		if err := os.Symlink(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string, perm os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
