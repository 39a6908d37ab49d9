package lock

// Mode is what a holder does to the directory's contents.
type Mode int

const (
	// Shared is for readers: any number hold it together, none while an
	// Exclusive holder does.
	Shared Mode = iota
	// Exclusive is for a writer: it holds the lock alone.
	Exclusive
)

func (m Mode) String() string {
	if m == Exclusive {
		return "exclusive"
	}
	return "shared"
}
