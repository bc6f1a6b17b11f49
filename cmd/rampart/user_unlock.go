package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"rampart/internal/portal"
	"rampart/internal/store"
)

func newUserUnlockCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "unlock NAME",
		Short: "Lift an account's sign-in lockout on every node",
		Long: `Forget the failed sign-ins of the account NAME and lift the lock they
put on it, on every gateway node at once and without a restart.

The unlock is written to the store, which every node reads: the portal
counts an account's failures under a key that holds the time of its last
unlock, so from now on the account starts afresh everywhere, whichever
identity.lockout.backend the nodes use, and the old count expires by
itself. Locks on client addresses are left alone; they end after
identity.lockout.lock_for.`,
		Example: "  rampart user unlock alice -c /etc/rampart/rampart.yaml",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := userStore(cmd, path)
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := portal.Unlock(cmd.Context(), st, args[0], time.Now())
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no user %q (rampart user list shows them)", args[0])
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "user %s unlocked: failed sign-ins forgotten and any lock lifted, on every node\n", u.Username)
			return nil
		},
	}
	cmd.Flags().StringVarP(&path, "config", "c", "rampart.yaml", "config file")
	return cmd
}
