package active

import (
	"context"
	"fmt"
	"time"
)

// The time-based checks (SQL, OS command) share one procedure: time the
// original value several times, send the payload asking for Delay, and
// believe a delay only when it is repeated and the same payload asking
// for no delay stays fast, so a slow or a jittery endpoint does not pass.

// timingBaselines is how many original responses are timed.
const timingBaselines = 3

// delayProbe times payloads at one point.
type delayProbe struct {
	s    Sender
	p    Point
	opt  Options
	base []time.Duration
}

// baseline sends the original value until timingBaselines responses are
// timed (durations already known may be given with add).
func (d *delayProbe) baseline(ctx context.Context) error {
	for len(d.base) < timingBaselines {
		_, resp, err := send(ctx, d.s, d.p, d.p.Value)
		if err != nil {
			return err
		}
		d.base = append(d.base, resp.Duration)
	}
	return nil
}

func (d *delayProbe) add(r *Response) {
	if r != nil {
		d.base = append(d.base, r.Duration)
	}
}

func (d *delayProbe) baseMax() time.Duration {
	var m time.Duration
	for _, t := range d.base {
		m = max(m, t)
	}
	return m
}

// delayed is the shortest duration that counts as the delay asked for.
func (d *delayProbe) delayed() time.Duration {
	return d.baseMax() + d.opt.delay()*8/10
}

// fast is the longest duration that counts as no delay.
func (d *delayProbe) fast() time.Duration {
	return d.baseMax() + d.opt.delay()/2
}

// delayShown is what a confirmed delay looked like.
type delayShown struct {
	payload string
	resp    *Response
	delays  []time.Duration // of the delayed payload
	zeros   []time.Duration // of the zero-delay control
	base    time.Duration   // the slowest original response
}

func (e delayShown) detail(what string) string {
	return fmt.Sprintf("%s: responses took %s with the delay asked for and %s without it (original value at most %s)",
		what, timingList(e.delays), timingList(e.zeros), e.base.Round(time.Millisecond))
}

func timingList(ds []time.Duration) string {
	s := ""
	for i, d := range ds {
		if i > 0 {
			s += ", "
		}
		s += d.Round(time.Millisecond).String()
	}
	return s
}

// test sends mk(Delay), mk(0), mk(Delay), mk(0) and says whether the
// delayed payloads both took at least the baseline maximum plus
// 0.8×Delay while both zero-delay controls stayed under the baseline
// maximum plus Delay/2. It stops at the first response that does not
// fit. A failed send counts as not delayed; only the end of ctx is an
// error.
func (d *delayProbe) test(ctx context.Context, mk func(time.Duration) string) (delayShown, bool, error) {
	var e delayShown
	e.payload = mk(d.opt.delay())
	e.base = d.baseMax()
	zero := mk(0)
	for range 2 {
		_, resp, err := send(ctx, d.s, d.p, e.payload)
		if err != nil || resp.Duration < d.delayed() {
			return e, false, ctx.Err()
		}
		e.resp = resp
		e.delays = append(e.delays, resp.Duration)
		_, resp, err = send(ctx, d.s, d.p, zero)
		if err != nil || resp.Duration > d.fast() {
			return e, false, ctx.Err()
		}
		e.zeros = append(e.zeros, resp.Duration)
	}
	return e, true, nil
}
