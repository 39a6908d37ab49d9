package lock

import (
	"path/filepath"
	"testing"
)

// TestDir holds a lock in one mode and asks for another, in this process:
// flock locks belong to open file descriptions, so the second open
// conflicts just as another process would. A conflicting request must
// call waiting and return only after the release; a compatible one must
// return without waiting.
func TestDir(t *testing.T) {
	if !Supported {
		t.Skip("no directory locks on this system")
	}
	tests := []struct {
		held, wanted Mode
		waits        bool
	}{
		{Exclusive, Exclusive, true},
		{Exclusive, Shared, true},
		{Shared, Exclusive, true},
		{Shared, Shared, false},
	}
	for _, tt := range tests {
		t.Run(tt.held.String()+" then "+tt.wanted.String(), func(t *testing.T) {
			dir := t.TempDir()
			held, err := Dir(dir, tt.held, func() { t.Error("the first lock waited") })
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { held.Release() })

			waiting := make(chan struct{})
			done := make(chan error, 1)
			go func() {
				second, err := Dir(dir, tt.wanted, func() { close(waiting) })
				if err == nil {
					err = second.Release()
				}
				done <- err
			}()
			select {
			case <-waiting:
				if !tt.waits {
					t.Error("waited for a lock that does not conflict")
				}
			case err := <-done:
				if tt.waits {
					t.Fatalf("took the lock while a conflicting one was held (err %v)", err)
				}
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			// Dir called waiting and is blocked: it must not return before
			// the release.
			select {
			case err := <-done:
				t.Fatalf("returned (err %v) while the conflicting lock was still held", err)
			default:
			}
			if err := held.Release(); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestDirNeedsADirectory(t *testing.T) {
	if _, err := Dir(filepath.Join(t.TempDir(), "missing"), Exclusive, nil); err == nil {
		t.Error("locked a directory that does not exist")
	}
}

func TestReleaseTwice(t *testing.T) {
	held, err := Dir(t.TempDir(), Exclusive, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := held.Release(); err != nil {
		t.Fatal(err)
	}
	if err := held.Release(); err != nil {
		t.Errorf("second release: %v", err)
	}
	var none *Held
	if err := none.Release(); err != nil {
		t.Errorf("release of nil: %v", err)
	}
}
