package main

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"rampart/internal/config"
)

func newMigrateCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "migrate -c rampart.yaml",
		Short: "Apply pending store migrations",
		Long: `Open the store named in the config and apply the schema migrations it
lacks, then print the schema version. "rampart serve" does this on start
too; run it by hand to upgrade the schema before rolling out new nodes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.Load(path)
			if err != nil {
				return configError(err)
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			st, err := openStoreNoMigrate(cmd.Context(), cfg, log)
			if err != nil {
				return err
			}
			defer st.Close()
			applied, err := st.Migrate(cmd.Context())
			if err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			v, err := st.SchemaVersion(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(applied) == 0 {
				fmt.Fprintf(out, "store is up to date (schema version %d)\n", v)
				return nil
			}
			fmt.Fprintf(out, "applied migrations %v; schema version %d\n", applied, v)
			return nil
		},
	}
	cmd.Flags().StringVarP(&path, "config", "c", "rampart.yaml", "config file")
	return cmd
}
