package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"rampart/internal/scan"
)

// progressBarWidth is the number of cells of the terminal progress bar.
const progressBarWidth = 30

// progressPlainEvery is how many pages or checks pass between two plain
// progress lines when the total is unknown.
const progressPlainEvery = 50

// progress shows how a scan goes on stderr: a bar redrawn in place on a
// terminal, plain lines (a phase change, every tenth of the way or every
// 50 steps, the end) otherwise, so CI logs stay readable. It is safe for
// concurrent use: the scanner reports from several goroutines.
type progress struct {
	mu     sync.Mutex
	w      io.Writer
	tty    bool
	last   scan.Progress
	mark   int // the last step a plain line was printed at
	drawn  time.Time
	active bool // a bar is on the terminal line
}

// newProgress returns a progress for w, with a bar when w is a terminal.
func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) { // #nosec G115 -- a file descriptor
		p.tty = true
	}
	return p
}

// update is scan.Config.Progress.
func (p *progress) update(s scan.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	phaseChanged := s.Phase != p.last.Phase
	if phaseChanged && p.active {
		// Leave the finished phase's bar on its line.
		p.drawBar(p.last)
		fmt.Fprintln(p.w)
		p.active = false
	}
	p.last = s
	if p.tty {
		now := time.Now()
		// Redraw at most ten times a second, and always at the end.
		if phaseChanged || now.Sub(p.drawn) >= 100*time.Millisecond || (s.Total > 0 && s.Done >= s.Total) {
			p.drawBar(s)
			p.drawn = now
			p.active = true
		}
		return
	}
	if phaseChanged {
		p.mark = 0
		p.plainLine(s)
		return
	}
	step := progressPlainEvery
	if s.Total > 0 {
		step = max(s.Total/10, 1)
	}
	if s.Done-p.mark >= step || (s.Total > 0 && s.Done >= s.Total && p.mark < s.Total) {
		p.mark = s.Done
		p.plainLine(s)
	}
}

// note prints a line of its own (a phase the scanner does not report,
// such as the TLS audit), below a bar if one is drawn.
func (p *progress) note(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.active {
		fmt.Fprintln(p.w)
		p.active = false
	}
	fmt.Fprintf(p.w, "rampart scan: "+format+"\n", args...)
}

// done ends the bar's line.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.active {
		p.drawBar(p.last)
		fmt.Fprintln(p.w)
		p.active = false
	}
}

func (p *progress) plainLine(s scan.Progress) {
	switch {
	case s.Total == 0 && s.Done == 0:
		// A phase that does not count its steps.
		fmt.Fprintf(p.w, "rampart scan: %s, %d findings so far\n", s.Phase, s.Findings)
		return
	case s.Total > 0:
		fmt.Fprintf(p.w, "rampart scan: %s %d/%d, %d findings\n", s.Phase, s.Done, s.Total, s.Findings)
		return
	}
	fmt.Fprintf(p.w, "rampart scan: %s %d, %d findings\n", s.Phase, s.Done, s.Findings)
}

// drawBar redraws the terminal line: "\r", the bar, and erase to the
// end of the line.
func (p *progress) drawBar(s scan.Progress) {
	var bar string
	if s.Total > 0 {
		filled := min(progressBarWidth*s.Done/s.Total, progressBarWidth)
		bar = fmt.Sprintf("[%s%s] %d/%d", strings.Repeat("=", filled), strings.Repeat(" ", progressBarWidth-filled), s.Done, s.Total)
	} else {
		// No total: a marker that moves, so the line shows life.
		pos := s.Done % progressBarWidth
		bar = fmt.Sprintf("[%s#%s] %d", strings.Repeat(" ", pos), strings.Repeat(" ", progressBarWidth-pos-1), s.Done)
	}
	fmt.Fprintf(p.w, "\r%-8s %s  %d findings\x1b[K", s.Phase, bar, s.Findings)
}
