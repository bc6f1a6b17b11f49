package tlsaudit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"
)

// errClosed says the server closed the connection without a word.
var errClosed = errors.New("connection closed without an answer")

// exchange sends one hello on a new connection and reads the answer. It
// holds one of the auditor's concurrency slots while it runs.
func (a *auditor) exchange(ctx context.Context, hello []byte) (flight, error) {
	select {
	case a.sem <- struct{}{}:
	case <-ctx.Done():
		return flight{}, ctx.Err()
	}
	defer func() { <-a.sem }()

	d := net.Dialer{Timeout: a.cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", a.addr)
	if err != nil {
		return flight{}, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	if err := conn.SetDeadline(time.Now().Add(a.cfg.Timeout)); err != nil {
		return flight{}, fmt.Errorf("set deadline: %w", err)
	}
	if _, err := conn.Write(hello); err != nil {
		if closedErr(err) {
			return flight{}, errClosed
		}
		return flight{}, fmt.Errorf("send hello: %w", err)
	}
	f, err := readFlight(conn)
	var ne net.Error
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return f, ctx.Err()
	case errors.As(err, &ne) && ne.Timeout():
		return f, fmt.Errorf("no answer within %v", a.cfg.Timeout)
	}
	return f, err
}

// closedErr says err is the peer closing or resetting the connection.
func closedErr(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// readFlight reads from r until the answer to a hello is complete (see
// flight.done), the server stops sending, or maxFlight bytes came. A
// ServerHello followed by silence or a close is still an answer.
func readFlight(r io.Reader) (flight, error) {
	buf := make([]byte, 0, 8<<10)
	tmp := make([]byte, 8<<10)
	for {
		n, rerr := r.Read(tmp)
		buf = append(buf, tmp[:n]...)
		f, err := parseFlight(buf)
		if err != nil {
			return f, err
		}
		if f.done || len(buf) >= maxFlight {
			return f, nil
		}
		if rerr != nil {
			switch {
			case f.serverHello != nil:
				return f, nil
			case closedErr(rerr) && len(buf) == 0:
				return f, errClosed
			case closedErr(rerr):
				return f, fmt.Errorf("%w: connection closed after %d bytes", errMalformed, len(buf))
			}
			return f, rerr
		}
	}
}
