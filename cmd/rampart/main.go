// Command rampart is a self-hosted web application security gateway and
// scanner in one binary. Run "rampart --help" for the commands.
package main

import (
	"errors"
	"fmt"
	"io"
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
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ce *codeError
	if errors.As(err, &ce) && ce.code == exitConfig {
		// Config errors are already file:line sentences, one per line.
		fmt.Fprintln(stderr, err)
		return exitConfig
	}
	fmt.Fprintln(stderr, "rampart:", err)
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
	root.AddCommand(newVersionCmd(), newServeCmd(), newConfigCmd(), newDemoCmd(), newMigrateCmd(), newProxyCmd(), newUserCmd(), newAPIKeyCmd(), newScanCmd(defaultScanEngine()))
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &codeError{code: exitConfig, err: fmt.Errorf("%w\nsee %q", err, c.CommandPath()+" --help")}
	})
	return root
}
