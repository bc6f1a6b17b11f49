package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"rampart/internal/config"
	"rampart/internal/identity/password"
	"rampart/internal/portal"
	"rampart/internal/store"
)

// userStore opens the store named in the config for a user command.
func userStore(cmd *cobra.Command, path string) (store.Store, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, configError(err)
	}
	log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	return openStore(cmd.Context(), cfg, log)
}

func newUserCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage the accounts of the login portal",
		Long: `Add, list, disable, enable, delete and import the accounts rampart's
login portal signs in, reset their second factors and lift their lockouts. Every subcommand
reads the store from the config file (-c, default rampart.yaml).

Passwords follow NIST SP 800-63B: at least 12 characters, no composition
rules, and none of the 426 886 most common passwords. They are stored as
argon2id hashes (OWASP's parameters).`,
	}
	cmd.AddCommand(newUserAddCmd(), newUserListCmd(), newUserSetDisabledCmd(true), newUserSetDisabledCmd(false),
		newUserDeleteCmd(), newUserResetMFACmd(), newUserImportCmd(), newUserUnlockCmd(), newUserResealCmd())
	return cmd
}

func newUserAddCmd() *cobra.Command {
	var (
		path, email, roles string
		stdin, mfa         bool
	)
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add an account",
		Long: `Add an account named NAME. The password is asked for twice on the
terminal (not echoed), or read as one line from standard input with
--password-stdin:

  printf '%s\n' "$PASSWORD" | rampart user add alice --email alice@example.com --roles admin --password-stdin`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := strings.TrimSpace(args[0])
			if err := validUsername(name); err != nil {
				return err
			}
			pw, err := readNewPassword(cmd, stdin)
			if err != nil {
				return err
			}
			if err := password.DefaultPolicy.Check(pw, name, email); err != nil {
				return fmt.Errorf("password refused: %w", err)
			}
			h, err := password.NewHasher(password.DefaultParams)
			if err != nil {
				return err
			}
			hash, err := h.Hash(pw)
			if err != nil {
				return err
			}
			st, err := userStore(cmd, path)
			if err != nil {
				return err
			}
			defer st.Close()
			now := time.Now().UTC()
			u, err := st.CreateUser(cmd.Context(), store.User{
				ID: newID(), Username: name, Email: strings.TrimSpace(email), PasswordHash: hash,
				Roles: splitRoles(roles), MFARequired: mfa, CreatedAt: now, PasswordChangedAt: now,
			})
			if errors.Is(err, store.ErrConflict) {
				return fmt.Errorf("user %q or e-mail %q is taken", name, email)
			}
			if err != nil {
				return fmt.Errorf("add user: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "added user %s (id %s)\n", u.Username, u.ID)
			return nil
		},
	}
	cmd.Flags().StringVarP(&path, "config", "c", "rampart.yaml", "config file")
	cmd.Flags().StringVar(&email, "email", "", "e-mail address (for confirmations and password resets)")
	cmd.Flags().StringVar(&roles, "roles", "", "roles, comma-separated (e.g. admin,staff)")
	cmd.Flags().BoolVar(&stdin, "password-stdin", false, "read the password from standard input")
	cmd.Flags().BoolVar(&mfa, "mfa-required", false, "require a second factor for this user")
	return cmd
}

func newUserListCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the accounts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := userStore(cmd, path)
			if err != nil {
				return err
			}
			defer st.Close()
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tE-MAIL\tROLES\tSTATE\tMFA REQUIRED\tCREATED")
			after := ""
			for {
				us, err := st.ListUsers(cmd.Context(), store.UserFilter{Limit: store.MaxUserLimit, After: after})
				if err != nil {
					return fmt.Errorf("list users: %w", err)
				}
				for _, u := range us {
					state := "active"
					if u.Disabled {
						state = "disabled"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%s\n", u.Username, dash(u.Email), dash(strings.Join(u.Roles, ",")),
						state, u.MFARequired, u.CreatedAt.UTC().Format(time.DateOnly))
				}
				if len(us) < store.MaxUserLimit {
					break
				}
				after = us[len(us)-1].Username
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVarP(&path, "config", "c", "rampart.yaml", "config file")
	return cmd
}

func newUserSetDisabledCmd(disable bool) *cobra.Command {
	var path string
	use, short := "enable NAME", "Let a disabled account sign in again"
	if disable {
		use, short = "disable NAME", "Stop an account from signing in and end its sessions"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := userStore(cmd, path)
			if err != nil {
				return err
			}
			defer st.Close()
			ctx := cmd.Context()
			u, err := updateUser(ctx, st, args[0], func(u *store.User) { u.Disabled = disable })
			if err != nil {
				return err
			}
			verb := "enabled"
			if disable {
				n, err := st.DeleteUserSessions(ctx, u.ID, "")
				if err != nil {
					return fmt.Errorf("end sessions: %w", err)
				}
				verb = fmt.Sprintf("disabled (%d sessions ended)", n)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "user %s %s\n", u.Username, verb)
			return nil
		},
	}
	cmd.Flags().StringVarP(&path, "config", "c", "rampart.yaml", "config file")
	return cmd
}

func newUserDeleteCmd() *cobra.Command {
	var (
		path string
		yes  bool
	)
	cmd := &cobra.Command{
		Use:   "delete NAME --yes",
		Short: "Delete an account with its sessions, second factors and API keys",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !yes {
				return errors.New("deleting an account cannot be undone; add --yes to confirm (or use rampart user disable)")
			}
			st, err := userStore(cmd, path)
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := findUser(cmd.Context(), st, args[0])
			if err != nil {
				return err
			}
			if err := st.DeleteUser(cmd.Context(), u.ID); err != nil {
				return fmt.Errorf("delete user: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deleted user %s\n", u.Username)
			return nil
		},
	}
	cmd.Flags().StringVarP(&path, "config", "c", "rampart.yaml", "config file")
	cmd.Flags().BoolVar(&yes, "yes", false, "confirm the deletion")
	return cmd
}

func newUserResetMFACmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "reset-mfa NAME",
		Short: "Remove an account's second factors and end its sessions",
		Long: `Remove every second factor of the account (authenticator apps,
passkeys, recovery codes) and end its sessions, for a user who lost them.
The user signs in with the password next and enrols again; where a second
factor is required, the portal asks for one before anything else.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := userStore(cmd, path)
			if err != nil {
				return err
			}
			defer st.Close()
			ctx := cmd.Context()
			u, err := findUser(ctx, st, args[0])
			if err != nil {
				return err
			}
			removed, err := portal.RemoveSecondFactors(ctx, st, u.ID)
			if err != nil {
				return fmt.Errorf("remove second factors: %w", err)
			}
			n, err := st.DeleteUserSessions(ctx, u.ID, "")
			if err != nil {
				return fmt.Errorf("end sessions: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "user %s: %d second factors removed, %d sessions ended\n", u.Username, removed, n)
			return nil
		},
	}
	cmd.Flags().StringVarP(&path, "config", "c", "rampart.yaml", "config file")
	return cmd
}

// importRecord is one account to import.
type importRecord struct {
	Username      string   `json:"username"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	PasswordHash  string   `json:"password_hash"`
	Roles         []string `json:"roles"`
	where         string   // file:line
}

func newUserImportCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import accounts with their existing password hashes",
		Long: `Import accounts from another system without a password reset. FILE is
JSON Lines (one object a line: username, email, email_verified,
password_hash, roles) or, when its name ends in .csv, CSV with a header
row naming the columns username, email, password_hash and roles (roles
separated by spaces or semicolons).

Accepted hashes: bcrypt ($2a$, $2b$, $2y$), passlib's $pbkdf2-sha256$,
$pbkdf2-sha512$ and $pbkdf2$, Django's pbkdf2_sha256$, pbkdf2_sha1$ and
argon2$, and PHC $argon2id$/$argon2i$. Users sign in with their old
password; rampart checks it against the imported hash and stores an
argon2id hash in its place at that first sign-in.

Every line is checked first; if any is wrong, nothing is imported and every
problem is listed with its file:line. An account whose name or e-mail is
taken is reported and skipped.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			recs, err := readImport(args[0])
			if err != nil {
				return err
			}
			st, err := userStore(cmd, path)
			if err != nil {
				return err
			}
			defer st.Close()
			now := time.Now().UTC()
			added, skipped := 0, 0
			for _, r := range recs {
				_, err := st.CreateUser(cmd.Context(), store.User{
					ID: newID(), Username: r.Username, Email: r.Email, EmailVerified: r.EmailVerified,
					PasswordHash: r.PasswordHash, Roles: r.Roles, CreatedAt: now,
				})
				switch {
				case errors.Is(err, store.ErrConflict):
					fmt.Fprintf(cmd.ErrOrStderr(), "%s: user %q or its e-mail is taken; skipped\n", r.where, r.Username)
					skipped++
				case err != nil:
					return fmt.Errorf("%s: import %q: %w (%d accounts imported before it)", r.where, r.Username, err, added)
				default:
					added++
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "imported %d accounts, skipped %d\n", added, skipped)
			return nil
		},
	}
	cmd.Flags().StringVarP(&path, "config", "c", "rampart.yaml", "config file")
	return cmd
}

// maxImportLine bounds one line of an import file.
const maxImportLine = 64 << 10

// readImport reads and checks every record of an import file.
func readImport(name string) ([]importRecord, error) {
	f, err := os.Open(name) // #nosec G304 -- the file the administrator named
	if err != nil {
		return nil, fmt.Errorf("open import file: %w", err)
	}
	defer f.Close()
	base := filepath.Base(name)
	var recs []importRecord
	var problems []error
	if strings.EqualFold(filepath.Ext(name), ".csv") {
		recs, problems = readImportCSV(f, base)
	} else {
		recs, problems = readImportJSONL(f, base)
	}
	seen := map[string]string{}
	for _, r := range recs {
		if err := validUsername(r.Username); err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", r.where, err))
		}
		if err := password.Importable(r.PasswordHash); err != nil {
			problems = append(problems, fmt.Errorf("%s: password_hash of %q: %w", r.where, r.Username, err))
		}
		k := store.FoldName(r.Username)
		if prev, ok := seen[k]; ok {
			problems = append(problems, fmt.Errorf("%s: user %q is also on %s", r.where, r.Username, prev))
		}
		seen[k] = r.where
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("nothing imported:\n%w", errors.Join(problems...))
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s holds no accounts", base)
	}
	return recs, nil
}

func readImportJSONL(r io.Reader, base string) ([]importRecord, []error) {
	var recs []importRecord
	var problems []error
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxImportLine)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		var rec importRecord
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		where := fmt.Sprintf("%s:%d", base, line)
		if err := dec.Decode(&rec); err != nil {
			problems = append(problems, fmt.Errorf("%s: %w; want {\"username\": ..., \"password_hash\": ..., \"email\": ..., \"roles\": [...]}", where, err))
			continue
		}
		rec.where = where
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		problems = append(problems, fmt.Errorf("%s: %w", base, err))
	}
	return recs, problems
}

func readImportCSV(r io.Reader, base string) ([]importRecord, []error) {
	cr := csv.NewReader(io.LimitReader(r, 1<<30))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, []error{fmt.Errorf("%s:1: read the header row: %w", base, err)}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"username", "password_hash"} {
		if _, ok := col[need]; !ok {
			return nil, []error{fmt.Errorf("%s:1: no %q column; the header names username, email, password_hash and roles", base, need)}
		}
	}
	get := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	var recs []importRecord
	var problems []error
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s:%d: %w", base, line, err))
			if len(problems) > 100 {
				break
			}
			continue
		}
		recs = append(recs, importRecord{
			Username: get(row, "username"), Email: get(row, "email"), PasswordHash: get(row, "password_hash"),
			Roles: splitRoles(strings.NewReplacer(";", ",", " ", ",").Replace(get(row, "roles"))),
			where: fmt.Sprintf("%s:%d", base, line),
		})
	}
	return recs, problems
}

// readNewPassword reads the new password from stdin (one line) or asks for
// it twice on the terminal.
func readNewPassword(cmd *cobra.Command, fromStdin bool) (string, error) {
	in := cmd.InOrStdin()
	if fromStdin {
		line, err := bufio.NewReader(io.LimitReader(in, 4096)).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("read password: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	f, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) { // #nosec G115 -- a file descriptor
		return "", errors.New("no terminal to ask for the password on; pipe it in with --password-stdin")
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(cmd.ErrOrStderr(), prompt)
		b, err := term.ReadPassword(int(f.Fd())) // #nosec G115 -- a file descriptor
		fmt.Fprintln(cmd.ErrOrStderr())
		return string(b), err
	}
	pw, err := ask("Password: ")
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	again, err := ask("Again: ")
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	if pw != again {
		return "", errors.New("the two passwords differ")
	}
	return pw, nil
}

// validUsername checks a user name: 1-64 printable characters, no blanks
// at either end, no control characters.
func validUsername(name string) error {
	if name == "" || len(name) > 64 || strings.TrimSpace(name) != name {
		return fmt.Errorf("user name %q: want 1 to 64 characters without blanks at either end", name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("user name %q holds a control character", name)
		}
	}
	return nil
}

// updateUser applies change to the named user, retrying on a concurrent
// write.
func updateUser(ctx context.Context, st store.Users, name string, change func(*store.User)) (store.User, error) {
	for range 5 {
		u, err := findUser(ctx, st, name)
		if err != nil {
			return store.User{}, err
		}
		change(&u)
		u.UpdatedAt = time.Now().UTC()
		u, err = st.UpdateUser(ctx, u)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return store.User{}, fmt.Errorf("update user: %w", err)
		}
		return u, nil
	}
	return store.User{}, fmt.Errorf("update user %q: changed concurrently too often; try again", name)
}

func findUser(ctx context.Context, st store.Users, name string) (store.User, error) {
	u, err := st.UserByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, fmt.Errorf("no user %q (rampart user list shows them)", name)
	}
	if err != nil {
		return store.User{}, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

func splitRoles(s string) []string {
	var out []string
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
