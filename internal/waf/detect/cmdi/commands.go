package cmdi

import "strings"

// cmdFlags describe a command word.
type cmdFlags uint16

const (
	// fWord: the name is also an everyday word or a name people list
	// ("cat", "echo", "ping", "python", "curl"): it needs shell-looking
	// arguments or a strong context before it counts.
	fWord cmdFlags = 1 << iota
	// fWin: a Windows command; matched without regard to case.
	fWin
	// fInterp: runs code given in an argument (bash -c, perl -e, cmd /c,
	// powershell -enc, certutil -urlcache, nc -e).
	fInterp
	// fNet: takes a host argument (ping, nc, curl, nslookup).
	fNet
	// fNumeric: a number is a meaningful argument (sleep 5, timeout 9).
	fNumeric
	// fWrapper: runs the next word as the command (sudo, env, nohup,
	// exec, timeout, xargs, start).
	fWrapper
	// fNeedArg: only a command with one of its own argument words
	// (net user, net localgroup); alone it is an everyday word.
	fNeedArg
)

// commandTable lists command words, one per line: the name, then flag
// letters: w everyday word, W Windows, i interpreter, n network, d numeric
// arguments, x wrapper, a needs a specific argument. Kept compact: the
// tokenizer, not this list, is what recognises an injection; the list only
// says which words can start a command.
const commandTable = `
id
whoami		W
uname
ifconfig
ipconfig	W
netstat		W
hostname	w
uptime
dmesg
lsb_release
pwd
wget		n
curl		wn
nc		win
ncat		in
netcat		in
socat		in
telnet		wn
ssh		wn
scp
sftp		n
ftp		wn
tftp		n
nslookup	nW
dig		wn
host		wn
getent		n
traceroute	n
tracert		nW
nmap		n
ping		wndW
sh		i
bash		wi
zsh		wi
ksh		wi
csh		wi
tcsh		wi
dash		wi
ash		wi
fish		wi
busybox		x
python		wi
python2		wi
python3		wi
perl		wi
ruby		wi
php		wi
node		wi
nodejs		wi
lua		wi
tclsh		i
jrunscript	i
gcc		w
calc		wW
notepad		wW
xterm
chmod
chown
chgrp
chattr
rm		
rmdir		W
mkdir		wW
mkfifo
mknod
touch		w
cp		w
mv		w
ln		w
ls
ll		w
dir		wW
cat		w
tac		w
more		wW
less		w
head		w
tail		w
nl		w
od		w
xxd
strings		w
base64
base32
openssl
gpg
grep		w
egrep
findstr		W
find		wW
awk		i
gawk		i
sed		w
cut		w
sort		wW
uniq
tr		w
rev		w
wc		w
xargs		x
echo		wW
printf
print		w
set		wW
export		w
unset		w
env		x
eval		x
exec		x
sudo		x
doas		x
su		w
nohup		x
setsid		x
nice		x
timeout		xd
time		wx
sleep		wd
usleep		d
kill		w
pkill
killall
ps		w
top		w
df
du		w
free		w
mount		w
who		w
last		w
lastlog
history		w
crontab
useradd
usermod
passwd		w
chpasswd
iptables
systemctl
service		w
tar		w
gzip
gunzip
zip		w
unzip
dd		w
shred
mail		w
sendmail
mysql		w
psql
sqlite3
docker		w
kubectl
git		w
svn		w
apt-get
yum
pip		w
npm		w
java		w
javac
true		w
false		w
yes		w
expr
test		w
source		w
type		wW
cmd		wiW
command		wx
powershell	wiW
pwsh		iW
certutil	iW
bitsadmin	iW
systeminfo	W
tasklist	W
taskkill	W
net		waW
net1		W
wmic		W
reg		waW
regsvr32	iW
rundll32	iW
mshta		iW
cscript		iW
wscript		iW
schtasks	W
sc		waW
nltest		W
vssadmin	W
wevtutil	W
icacls		W
cacls		W
attrib		W
del		wW
erase		wW
copy		wW
xcopy		W
robocopy	W
move		wW
ren		wW
rename		wW
rd		wW
md		wW
netsh		W
arp		wW
route		wW
nbtstat		W
qwinsta		W
query		waW
ver		wW
vol		wW
start		xW
call		wxW
msiexec		W
certreq		W
iex		iW
invoke-expression	iW
invoke-webrequest	nW
iwr		nW
invoke-restmethod	nW
irm		nW
invoke-command	iW
invoke-item	W
start-process	W
new-object	W
get-content	W
set-content	W
add-content	W
out-file	W
get-childitem	W
remove-item	W
copy-item	W
get-process	W
get-wmiobject	W
add-type	W
`

// needArgs are the argument words that make a fNeedArg command real.
var needArgs = map[string]string{
	"net":   " user users localgroup group view use share start stop session sessions accounts config time ",
	"reg":   " query add delete export save load import copy ",
	"sc":    " query queryex qc config create start stop delete ",
	"query": " user session process ",
}

// codeFlags are the options with which an interpreter runs code from its
// arguments (matched without regard to case).
const codeFlags = " -c -e -r -i -ec -enc -encodedcommand -command -nop -noprofile -noni -noninteractive -w -windowstyle -exec -executionpolicy -ep -sta -urlcache -decode -decodehex -split /c /k /r /transfer /download /i: /s /u /v exec: system: "

// cmdInfo is what the table says of a word.
type cmdInfo struct {
	name  string
	flags cmdFlags
}

// commands is the parsed table: lookups by exact (lower-case for Windows)
// name, and the list for glob matching.
type commands struct {
	byName map[string]cmdInfo
	list   []cmdInfo
}

func newCommands() commands {
	c := commands{byName: make(map[string]cmdInfo, 256)}
	for _, line := range strings.Split(commandTable, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		var f cmdFlags
		if len(fields) > 1 {
			for _, r := range fields[1] {
				switch r {
				case 'w':
					f |= fWord
				case 'W':
					f |= fWin
				case 'i':
					f |= fInterp
				case 'n':
					f |= fNet
				case 'd':
					f |= fNumeric
				case 'x':
					f |= fWrapper
				case 'a':
					f |= fNeedArg
				}
			}
		}
		info := cmdInfo{name: fields[0], flags: f}
		c.byName[info.name] = info
		c.list = append(c.list, info)
	}
	return c
}

// lookup finds the command a normalised word names. lower is the word in
// lower case; exact tells whether the word was lower case already (Unix
// commands are case sensitive, Windows ones are not). A word with glob
// characters or expansions ('*', '?') is matched as a pattern against the
// table when it has at least two literal characters.
func (c *commands) lookup(lower []byte, exact, pattern bool) (cmdInfo, bool) {
	if !pattern {
		info, ok := c.byName[string(lower)]
		if !ok || !exact && info.flags&fWin == 0 {
			return cmdInfo{}, false
		}
		return info, true
	}
	lit := 0
	for _, b := range lower {
		if b != '*' && b != '?' {
			lit++
		}
	}
	if lit < 2 {
		return cmdInfo{}, false
	}
	for _, info := range c.list {
		if len(info.name) < 2 || !exact && info.flags&fWin == 0 {
			continue
		}
		if globMatch(lower, info.name) {
			return info, true
		}
	}
	return cmdInfo{}, false
}

// globMatch reports whether the shell pattern p ('*' any run, '?' one
// byte, everything else literal) matches all of s. It backtracks only on
// the last '*', so it is linear in practice and bounded by len(p)*len(s).
func globMatch(p []byte, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// hasWordIn reports whether the space-separated list holds w (lower case).
func hasWordIn(list string, w []byte) bool {
	if len(w) == 0 || len(w) > 32 {
		return false
	}
	i := 0
	for {
		j := strings.Index(list[i:], string(w))
		if j < 0 {
			return false
		}
		j += i
		if j > 0 && list[j-1] == ' ' && j+len(w) < len(list) && list[j+len(w)] == ' ' {
			return true
		}
		i = j + 1
	}
}
