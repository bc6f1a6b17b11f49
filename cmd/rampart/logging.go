package main

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"rampart/internal/config"
)

// logSink is a buffered, mutex-guarded writer flushed every 200 ms and on
// Close, so a busy gateway does not make one write system call per log line.
type logSink struct {
	mu     sync.Mutex
	w      *bufio.Writer
	closer io.Closer
	stop   chan struct{}
	done   chan struct{}
}

func newLogSink(w io.Writer, closer io.Closer) *logSink {
	s := &logSink{w: bufio.NewWriterSize(w, 64<<10), closer: closer, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.Flush()
			case <-s.stop:
				return
			}
		}
	}()
	return s
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *logSink) Flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.w.Flush()
}

func (s *logSink) Close() error {
	close(s.stop)
	<-s.done
	s.Flush()
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

// loggers are the three streams: the component log, the access log and the
// security (event) log. They share one sink and are told apart by "log".
// The access log is a writer: the gateway encodes its lines itself.
type loggers struct {
	main, security *slog.Logger
	access         io.Writer
	sink           *logSink
}

func newLoggers(c config.Log, stderr io.Writer) (*loggers, error) {
	var w io.Writer
	var closer io.Closer
	switch c.File {
	case "", "stderr":
		w = stderr
	case "stdout":
		w = os.Stdout
	default:
		f, err := os.OpenFile(c.File, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("open log file: %w", err)
		}
		w, closer = f, f
	}
	sink := newLogSink(w, closer)
	level := slog.LevelInfo
	switch strings.ToLower(c.Level) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if strings.ToLower(c.Format) == "text" {
		h = slog.NewTextHandler(sink, opts)
	} else {
		h = slog.NewJSONHandler(sink, opts)
	}
	l := &loggers{main: slog.New(h).With("log", "rampart"), security: slog.New(h).With("log", "security"), sink: sink}
	if c.AccessLog {
		// Access lines are JSON whatever log.format says, and written
		// whatever the level.
		l.access = sink
	}
	return l, nil
}
