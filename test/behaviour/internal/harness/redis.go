package harness

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// valkeyAccount is the Valkey image's user; the server runs as it.
var valkeyAccount = Account{Name: "valkey", UID: 999, GID: 999}

// Redis is a redis-server (Debian's, standing in for Valkey) on 127.0.0.1
// that requires Password (requirepass), as the rendered Valkey does.
type Redis struct {
	Host     string
	Port     int
	Password string

	dir string
	server
}

// Addr is "127.0.0.1:port".
func (r *Redis) Addr() string { return net.JoinHostPort(r.Host, strconv.Itoa(r.Port)) }

// NewRedis prepares a server on a free port without starting it; Start
// does. A t.Cleanup stops it.
func NewRedis(t testing.TB, password string) *Redis {
	t.Helper()
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	r := &Redis{Host: "127.0.0.1", Port: port, Password: password, dir: SharedTempDir(t)}
	t.Cleanup(func() {
		if err := r.Stop(); err != nil {
			t.Error(err)
		}
	})
	if err := MkdirOwned(filepath.Join(r.dir, "data"), 0o700, valkeyAccount.UID, valkeyAccount.GID); err != nil {
		t.Fatal(err)
	}
	return r
}

// StartRedis is NewRedis then Start.
func StartRedis(t testing.TB, password string) *Redis {
	t.Helper()
	r := NewRedis(t, password)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return r
}

// Start starts the server and returns once it answers PING after AUTH.
func (r *Redis) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.proc != nil {
		return fmt.Errorf("redis on %s: already started", r.Addr())
	}
	id := Identity{UID: valkeyAccount.UID, GID: valkeyAccount.GID, Accounts: []Account{valkeyAccount}}
	cmd, err := RunAs(r.dir, id, []string{"PATH=/usr/bin:/bin", "HOME=" + r.dir},
		"/usr/bin/redis-server", "--bind", "127.0.0.1", "--port", strconv.Itoa(r.Port),
		"--requirepass", r.Password, "--save", "", "--appendonly", "no",
		"--dir", filepath.Join(r.dir, "data"), "--daemonize", "no", "--logfile", "")
	if err != nil {
		return err
	}
	if r.proc, err = Start("redis-server", cmd); err != nil {
		return err
	}
	for {
		if code, exited := r.proc.Exited(); exited {
			return fmt.Errorf("redis-server on %s exited with status %d:\n%s", r.Addr(), code, r.proc.Output())
		}
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		reply, err := r.Do(pctx, "PING")
		cancel()
		if err == nil && reply == "PONG" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("redis-server on %s: no PONG (%v): %w\n%s", r.Addr(), err, ctx.Err(), r.proc.Output())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop shuts the server down (SIGTERM, then SIGKILL).
func (r *Redis) Stop() error { return r.stop(syscall.SIGTERM) }

// Do authenticates and runs one command on a fresh connection, returning a
// simple, integer or bulk string reply; an error reply is an error. Enough
// for checks such as PING, CONFIG GET or LLEN without a client library.
func (r *Redis) Do(ctx context.Context, args ...string) (string, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", r.Addr())
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	rd := bufio.NewReader(conn)
	for _, cmd := range [][]string{{"AUTH", r.Password}, args} {
		var b strings.Builder
		fmt.Fprintf(&b, "*%d\r\n", len(cmd))
		for _, a := range cmd {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
		}
		if _, err := conn.Write([]byte(b.String())); err != nil {
			return "", err
		}
		reply, err := readReply(rd)
		if err != nil {
			return "", fmt.Errorf("%s: %w", cmd[0], err)
		}
		if cmd[0] != "AUTH" {
			return reply, nil
		}
	}
	return "", nil
}

// readReply reads one RESP2 reply that is not an array.
func readReply(rd *bufio.Reader) (string, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("empty reply")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", fmt.Errorf("server error: %s", line[1:])
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rd, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	}
	return "", fmt.Errorf("unsupported reply %q", line)
}
