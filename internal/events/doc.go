// Package events defines rampart's security-event model and the in-process
// bus that carries events from the stages to their consumers: the store,
// the security log, metrics, and later the detectors and alert channels.
//
// Publishing never blocks a request: each subscriber has a bounded queue,
// and an event that does not fit is counted as dropped for that subscriber.
// A Bus is safe for concurrent use.
package events
