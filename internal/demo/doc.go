// Package demo is the sample shop that `rampart demo` puts behind the gateway.
//
// WARNING: THIS APPLICATION IS INTENTIONALLY VULNERABLE. It exists only so
// that `rampart demo` has something to protect on loopback and users can see
// the gateway at work. Never expose it on a network, never deploy it, and
// never copy its code into anything real.
//
// "Rampart Demo Shop" is a tiny in-memory shop with HTML pages and a JSON API.
// It makes, on purpose, the mistakes the gateway is built to catch:
//
//   - /search reflects the query into the page without escaping (reflected
//     XSS), shows the SQL it pretends to run, and answers a query holding a
//     single quote with a 500 and a fake stack trace and SQL error (so that
//     masking of 5xx bodies is visible);
//   - /login sets a session cookie without Secure, HttpOnly or SameSite and
//     reflects the username in its error message;
//   - every response carries the banners "Server: DemoShop/0.1 (Python/3.8)"
//     and "X-Powered-By: Express", and no security headers.
//
// It does not talk to a database, touch the file system or listen on a port:
// an *App is an http.Handler that the caller serves. Products are fixed;
// orders and sessions live in memory, each bounded in number.
//
// An *App is safe for concurrent use by multiple goroutines.
package demo
