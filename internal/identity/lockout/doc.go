// Package lockout throttles password guessing: it counts failed sign-ins
// per account and per client IP address in a sliding window, answers with a
// progressive delay once failures pile up, and locks an account (or an
// address) for a while after too many.
//
// Counting goes through a Counter. Memory keeps the counts in the process,
// for a single node; Redis keeps them in Redis, so that several gateway
// nodes share one count per account and a lock holds on every node. The
// arithmetic is the sliding-window counter that Redis rate limiters use (two
// fixed windows, the previous one weighted by how much of it still overlaps
// the sliding window). Both counters pass the same contract suite,
// lockout/lockouttest.
//
// The guard treats unknown accounts like known ones: callers count a
// failure for whatever name was typed, so the answers (delay, lock) do not
// tell which accounts exist.
//
// What it does not do: it does not decide what happens when the counter
// fails. Guard methods return the counter's error and the caller chooses;
// rampart's portal fails closed (it answers 503 and checks no password),
// since without the counts guessing would be unthrottled. Nor does it know
// about users: the account key is the caller's, and rampart's portal puts
// the time of the account's last unlock into it (rampart user unlock), so
// that an unlock starts a fresh count on every node without reaching any
// node's memory.
//
// Guard, Memory and Redis are safe for concurrent use.
package lockout
