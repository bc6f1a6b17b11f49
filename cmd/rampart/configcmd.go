package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"rampart/internal/config"
)

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Work with config files",
		Long:  "Commands that read a rampart config file without running the gateway.",
	}
	var path string
	var print, strict bool
	check := &cobra.Command{
		Use:   "check -c rampart.yaml",
		Short: "Validate a config and warn about insecure settings",
		Long: `Validate a config file the way "rampart serve" would, and lint it for
insecure settings: a plain-HTTP listener without redirect to HTTPS, a TLS
minimum below 1.2, an admin listener reachable from other hosts, the WAF in
detect-only mode, upstream TLS verification off, session cookies without
Secure, and more. Each problem is printed as file:line with what to do.

Exit status: 0 when valid (warnings allowed unless --strict), 2 when invalid
(or when --strict and there are warnings). Secret values (${env:...},
${file:...}) are never printed.`,
		Example: "  rampart config check -c rampart.yaml\n  rampart config check -c rampart.yaml --print",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			cfg, err := config.Load(path)
			if err != nil {
				return configError(err)
			}
			warnings := config.Lint(cfg)
			for _, w := range warnings {
				fmt.Fprintf(out, "warning: %s\n", w.String())
			}
			if print {
				b, err := config.Redacted(cfg)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "%s", b)
			}
			if strict && len(warnings) > 0 {
				return configError(fmt.Errorf("%s: %d warning(s) and --strict is set", cfg.Path, len(warnings)))
			}
			fmt.Fprintf(out, "%s: config OK (%d route(s), %d warning(s))\n", cfg.Path, len(cfg.Routes), len(warnings))
			return nil
		},
	}
	check.Flags().StringVarP(&path, "config", "c", "rampart.yaml", "config file")
	check.Flags().BoolVar(&print, "print", false, "print the effective config (defaults applied, secrets redacted)")
	check.Flags().BoolVar(&strict, "strict", false, "treat warnings as errors (exit 2)")
	cmd.AddCommand(check)
	return cmd
}
