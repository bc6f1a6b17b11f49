package traversal

import "strings"

// rootFiles are sensitive paths from the root of a file system (Windows
// paths without their drive). An entry ending in '/' is a directory, one
// ending in '*' a prefix; others match the file or anything below it.
var rootFiles = [...]string{
	"/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/hosts", "/etc/issue", "/etc/motd",
	"/etc/hostname", "/etc/sudoers", "/etc/crontab", "/etc/fstab", "/etc/master.passwd", "/etc/security/",
	"/etc/ssh/", "/etc/ssl/private/", "/etc/mysql/", "/etc/apache2/", "/etc/httpd/", "/etc/nginx/", "/etc/php*",
	"/etc/my.cnf", "/etc/resolv.conf", "/etc/profile", "/etc/environment", "/etc/inittab", "/etc/os-release",
	"/etc/lsb-release", "/etc/redhat-release", "/etc/debian_version", "/etc/network/", "/etc/sysconfig/",
	"/etc/samba/", "/etc/exports", "/etc/aliases", "/etc/inetd.conf", "/etc/shells", "/etc/kubernetes/",
	"/etc/docker/", "/etc/cron*", "/etc/pam.d/", "/etc/ld.so*", "/etc/rc.local", "/etc/bashrc", "/etc/bash.bashrc",
	"/etc/sysctl.conf", "/etc/vsftpd*", "/etc/proftpd*", "/etc/postfix/", "/etc/openvpn/", "/etc/nsswitch.conf",
	"/etc/login.defs", "/etc/selinux/", "/etc/httpd.conf", "/etc/named.conf", "/etc/ftpusers",
	"/proc/self/", "/proc/thread-self/", "/proc/version", "/proc/cmdline", "/proc/mounts", "/proc/net/",
	"/proc/cpuinfo", "/proc/meminfo", "/proc/sched_debug", "/proc/kallsyms", "/proc/config.gz", "/proc/modules",
	"/var/log/", "/var/run/secrets/", "/run/secrets/", "/var/lib/mysql/", "/var/lib/php*", "/var/mail/", "/var/spool/cron/",
	"/root/", "/usr/local/etc/", "/sys/class/", "/sys/kernel/", "/dev/tcp/", "/dev/udp/",
	"/windows/win.ini", "/windows/system.ini", "/windows/system32/config/", "/windows/system32/drivers/etc/", "/windows/system32/inetsrv/",
	"/windows/system32/logfiles/", "/windows/system32/license.rtf", "/windows/system32/eula.txt", "/windows/repair/",
	"/windows/panther/", "/windows/debug/", "/windows/php.ini", "/winnt/", "/boot.ini", "/inetpub/logs/",
	"/documents and settings/",
}

// dirNames are directories whose content is sensitive wherever they are.
var dirNames = [...]string{"web-inf", "meta-inf", ".git", ".svn", ".hg", ".bzr", ".ssh", ".aws", ".kube", ".docker", ".gnupg", ".azure"}

// fileNames are sensitive file names wherever they are.
var fileNames = [...]string{
	".htaccess", ".htpasswd", ".env", ".user.ini", ".bash_history", ".zsh_history", ".sh_history", ".mysql_history",
	".psql_history", ".bashrc", ".netrc", ".pgpass", ".git-credentials", ".npmrc", ".pypirc", ".viminfo", ".boto",
	"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "authorized_keys", "known_hosts",
	"wp-config.php", "web.config", "applicationhost.config", "global.asa", "global.asax",
	"win.ini", "system.ini", "boot.ini", "ntuser.dat", "php.ini", "my.ini", "my.cnf", "httpd.conf", "nginx.conf",
	"pagefile.sys", "hiberfil.sys", "autoexec.bat", "unattend.xml", "sysprep.inf", "web.xml",
	"tomcat-users.xml",
}

// sensitive matches a cleaned path (b with its kept segments) against the
// lists above. It returns the kind of match and whether the match is a
// dot file or a WEB-INF-like directory (which a request path may not
// name either).
func sensitive(b []byte, segs []seg, unc bool) (kind int, dotfile bool) {
	if len(segs) == 0 {
		return sensNone, false
	}
	if unc && len(segs) >= 2 {
		share := b[segs[1].lo:segs[1].hi]
		if len(share) >= 2 && share[len(share)-1] == '$' {
			return sensDir, false // \\host\c$, \\host\admin$
		}
	}
	// The cleaned path in lower case, for the root list, when its first
	// segment starts an entry of it.
	if first := b[segs[0].lo:segs[0].hi]; len(first) <= 24 {
		var fb [24]byte
		list := rootIndex[string(lowerInto(fb[:0], first))]
		if len(list) > 0 && rootSensitive(b, segs, list) {
			return sensDir, false
		}
	}
	return nameSensitive(b, segs)
}

// rootIndex groups rootFiles by their first segment.
var rootIndex = func() map[string][]string {
	m := map[string][]string{}
	for _, r := range rootFiles {
		first := r[1:]
		if k := strings.IndexAny(first, "/*"); k >= 0 {
			first = first[:k]
		}
		m[first] = append(m[first], r)
	}
	return m
}()

func lowerInto(dst, b []byte) []byte {
	for _, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// rootSensitive matches the cleaned path against root entries.
func rootSensitive(b []byte, segs []seg, list []string) bool {
	var pb [512]byte
	path := pb[:0]
	for _, s := range segs {
		if len(path)+1+s.hi-s.lo > len(pb) {
			break
		}
		path = append(path, '/')
		for _, c := range b[s.lo:s.hi] {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			path = append(path, c)
		}
	}
	path = trimWindows(path)
	if len(path) < 2 {
		return false
	}
	if path[1] == 'p' && hasPrefix(path, "/proc/") && len(path) > 6 && isDigit(path[6]) {
		return true // /proc/1234/environ
	}
	for _, r := range list {
		if matchRoot(path, r) {
			return true
		}
	}
	return false
}

// nameSensitive matches the segments of a cleaned path against dirNames
// and fileNames.
func nameSensitive(b []byte, segs []seg) (kind int, dotfile bool) {
	for i, s := range segs {
		name := b[s.lo:s.hi]
		for _, d := range dirNames {
			if lowerEq(name, d) {
				return sensDir, true
			}
		}
		if i == len(segs)-1 {
			name = trimWindows(name)
			for _, f := range fileNames {
				if !lowerEq(name, f) {
					continue
				}
				if f == "web.xml" {
					break // only under WEB-INF, matched above
				}
				if len(segs) >= 2 {
					return sensDir, f[0] == '.'
				}
				return sensName, f[0] == '.'
			}
			if lowerEq(name, "sam") && i > 0 {
				if prev := b[segs[i-1].lo:segs[i-1].hi]; lowerEq(prev, "config") || lowerEq(prev, "repair") {
					return sensDir, false // Windows SAM hive
				}
			}
		}
	}
	return sensNone, false
}

// trimWindows removes what Windows ignores at the end of a file name:
// trailing dots and spaces, and an ::$DATA stream suffix.
func trimWindows(b []byte) []byte {
	for k := 1; k+1 < len(b); k++ {
		if b[k] == ':' && b[k+1] == ':' {
			b = b[:k]
			break
		}
	}
	for len(b) > 1 && (b[len(b)-1] == '.' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

// matchRoot reports whether the lower-case cleaned path matches a rootFiles
// entry.
func matchRoot(path []byte, r string) bool {
	switch r[len(r)-1] {
	case '*':
		return hasPrefix(path, r[:len(r)-1])
	case '/':
		return hasPrefix(path, r) && len(path) > len(r) // a file in the directory
	}
	return hasPrefix(path, r) && (len(path) == len(r) || path[len(r)] == '/')
}

func hasPrefix(b []byte, s string) bool { return len(b) >= len(s) && string(b[:len(s)]) == s }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
