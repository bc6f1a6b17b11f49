package config

import (
	"fmt"

	"rampart/internal/identity/seal"
)

// SecretsKeyring returns the keyring of identity.secrets_key (the current
// key, under identity.secrets_key_id) and identity.old_secrets_keys (still
// opening what they sealed).
func SecretsKeyring(id Identity) (*seal.Keyring, error) {
	cur, err := DecodeSecretsKey(id.SecretsKey.Reveal())
	if err != nil {
		return nil, fmt.Errorf("identity.secrets_key: %w", err)
	}
	keys := []seal.Key{{ID: id.SecretsKeyID, Secret: cur}}
	for i, k := range id.OldSecretsKeys {
		b, err := DecodeSecretsKey(k.Key.Reveal())
		if err != nil {
			return nil, fmt.Errorf("identity.old_secrets_keys[%d]: %w", i, err)
		}
		keys = append(keys, seal.Key{ID: k.ID, Secret: b})
	}
	return seal.NewKeyring(keys)
}
