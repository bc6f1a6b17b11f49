// Package gateway is rampart's request path: the listeners (HTTP, HTTPS with
// HTTP/2, admin), the route table, the stage chain and the upstream pools
// with their health checks.
//
// A Gateway holds an immutable route table built from one *config.Config and
// swaps it atomically on Apply, so a reload takes effect without dropping
// in-flight requests and a failed reload leaves the old table serving.
// Gateway methods are safe for concurrent use.
package gateway
