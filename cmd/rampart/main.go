// Command rampart is a self-hosted web application security gateway and
// scanner in one binary. Run "rampart --help" for the commands.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK     = 0
	exitError  = 1
	exitConfig = 2 // bad config or usage
)

// exitError carries an exit code through cobra.
type codeError struct {
	code int
	err  error
}

func (e *codeError) Error() string { return e.err.Error() }
func (e *codeError) Unwrap() error { return e.err }

func configError(err error) error { return &codeError{code: exitConfig, err: err} }

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	root := newRootCmd()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(os.Stderr, "rampart:", err)
	var ce *codeError
	if errors.As(err, &ce) {
		return ce.code
	}
	return exitError
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "rampart",
		Short: "A web application security gateway and scanner in one binary",
		Long: `rampart stands in front of a web application or API as a hardened reverse
proxy: it checks request framing and size limits, resolves the real client
address, hardens responses (security headers, cookie flags, no banners, no
leaked stack traces), records every security decision as an event, and
exposes Prometheus metrics on a separate admin listener.

Start with "rampart demo" to see it in front of a sample app, or
"rampart proxy --from :8080 --to http://127.0.0.1:3000" for a one-command
gateway with every safe default on.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newVersionCmd(), newServeCmd(), newConfigCmd(), newDemoCmd(), newMigrateCmd(), newProxyCmd())
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &codeError{code: exitConfig, err: fmt.Errorf("%w\nsee %q", err, c.CommandPath()+" --help")}
	})
	return root
}
