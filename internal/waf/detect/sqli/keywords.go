package sqli

// kw is a SQL keyword the parser knows.
type kw uint8

// Keywords. Those up to kwLastReserved cannot be column names, so English
// words among them stop the parser; the others are identifiers unless the
// grammar expects them.
const (
	kwNone kw = iota
	kwSelect
	kwFrom
	kwWhere
	kwUnion
	kwIntersect
	kwExcept
	kwAnd
	kwOr
	kwXor
	kwNot
	kwIs
	kwIn
	kwLike
	kwRlike
	kwRegexp
	kwBetween
	kwSounds
	kwDiv
	kwMod
	kwNull
	kwTrue
	kwFalse
	kwCase
	kwWhen
	kwThen
	kwElse
	kwEnd
	kwExists
	kwOrder
	kwGroup
	kwBy
	kwHaving
	kwLimit
	kwAs
	kwOn
	kwJoin
	kwInto
	kwValues
	kwInsert
	kwUpdate
	kwDelete
	kwDrop
	kwCreate
	kwAlter
	kwTruncate
	kwExec
	kwDeclare
	kwSet
	kwShutdown
	kwWaitfor
	kwProcedure
	kwAll
	kwDistinct
	kwInterval
	kwEscape
	kwCollate
	kwUsing

	// Not reserved: identifiers outside their grammar.
	kwBinary
	kwOffset
	kwAsc
	kwDesc
	kwTop
	kwOutfile
	kwDumpfile
	kwDelay
	kwTime
	kwBegin
	kwCall
	kwGrant
	kwRevoke
	kwTable
	kwDatabase
	kwFunction
	kwDo
	kwIf
	kwIif
	kwUse
	kwShow
	kwLoad
	kwCopy
	kwReplace
	kwInner
	kwLeft
	kwRight
	kwCross
	kwOuter
	kwFull
	kwNatural
	kwAny
	kwSome
	kwFor
	kwWith
	kwUnknown
	kwMinus
	kwView
	kwUser
	kwIndex
	kwSchema
	kwTemporary
	kwData
	kwPrepare
	kwHandler
	kwPragma
	kwAttach
	kwRename
	kwDual
	kwFetch
	kwFirst
	kwRows
	kwOnly
	kwOver
	kwPartition
	kwCharacter
	kwNowait
	kwLock
	kwDefault
	kwInfile
	kwShare
	kwMode
	kwNoLock
)

// kwLastReserved is the last reserved keyword.
const kwLastReserved = kwUsing

// isReserved says whether k cannot be a column name.
func isReserved(k kw) bool { return k != kwNone && k <= kwLastReserved }

// lowerWord lower-cases w (ASCII only) into buf; ok is false when w is
// longer than buf, and then w is no keyword.
func lowerWord(w string, buf *[32]byte) (string, bool) {
	if len(w) > len(buf) {
		return "", false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return string(buf[:len(w)]), true
}

// lookupKeyword returns the keyword w spells, case-insensitively.
func lookupKeyword(w string) kw {
	if len(w) < 2 || len(w) > 11 {
		return kwNone
	}
	var buf [32]byte
	l, _ := lowerWord(w, &buf)
	switch l {
	case "select":
		return kwSelect
	case "from":
		return kwFrom
	case "where":
		return kwWhere
	case "union":
		return kwUnion
	case "intersect":
		return kwIntersect
	case "except":
		return kwExcept
	case "and":
		return kwAnd
	case "or":
		return kwOr
	case "xor":
		return kwXor
	case "not":
		return kwNot
	case "is":
		return kwIs
	case "in":
		return kwIn
	case "like", "ilike":
		return kwLike
	case "rlike":
		return kwRlike
	case "regexp", "similar":
		return kwRegexp
	case "between":
		return kwBetween
	case "sounds":
		return kwSounds
	case "div":
		return kwDiv
	case "mod":
		return kwMod
	case "null":
		return kwNull
	case "true":
		return kwTrue
	case "false":
		return kwFalse
	case "case":
		return kwCase
	case "when":
		return kwWhen
	case "then":
		return kwThen
	case "else":
		return kwElse
	case "end":
		return kwEnd
	case "exists":
		return kwExists
	case "order":
		return kwOrder
	case "group":
		return kwGroup
	case "by":
		return kwBy
	case "having":
		return kwHaving
	case "limit":
		return kwLimit
	case "as":
		return kwAs
	case "on":
		return kwOn
	case "join":
		return kwJoin
	case "into":
		return kwInto
	case "values":
		return kwValues
	case "insert":
		return kwInsert
	case "update":
		return kwUpdate
	case "delete":
		return kwDelete
	case "drop":
		return kwDrop
	case "create":
		return kwCreate
	case "alter":
		return kwAlter
	case "truncate":
		return kwTruncate
	case "exec", "execute":
		return kwExec
	case "declare":
		return kwDeclare
	case "set":
		return kwSet
	case "shutdown":
		return kwShutdown
	case "waitfor":
		return kwWaitfor
	case "procedure":
		return kwProcedure
	case "all":
		return kwAll
	case "distinct", "distinctrow":
		return kwDistinct
	case "interval":
		return kwInterval
	case "escape":
		return kwEscape
	case "collate":
		return kwCollate
	case "using":
		return kwUsing
	case "binary":
		return kwBinary
	case "offset":
		return kwOffset
	case "asc":
		return kwAsc
	case "desc":
		return kwDesc
	case "top":
		return kwTop
	case "outfile":
		return kwOutfile
	case "dumpfile":
		return kwDumpfile
	case "delay":
		return kwDelay
	case "time":
		return kwTime
	case "begin":
		return kwBegin
	case "call":
		return kwCall
	case "grant":
		return kwGrant
	case "revoke":
		return kwRevoke
	case "table":
		return kwTable
	case "database":
		return kwDatabase
	case "function":
		return kwFunction
	case "do":
		return kwDo
	case "if":
		return kwIf
	case "iif":
		return kwIif
	case "use":
		return kwUse
	case "show":
		return kwShow
	case "load":
		return kwLoad
	case "copy":
		return kwCopy
	case "replace":
		return kwReplace
	case "inner":
		return kwInner
	case "left":
		return kwLeft
	case "right":
		return kwRight
	case "cross":
		return kwCross
	case "outer":
		return kwOuter
	case "full":
		return kwFull
	case "natural":
		return kwNatural
	case "any":
		return kwAny
	case "some":
		return kwSome
	case "for":
		return kwFor
	case "with":
		return kwWith
	case "unknown":
		return kwUnknown
	case "minus":
		return kwMinus
	case "view":
		return kwView
	case "user":
		return kwUser
	case "index":
		return kwIndex
	case "schema":
		return kwSchema
	case "temporary", "temp":
		return kwTemporary
	case "data":
		return kwData
	case "prepare":
		return kwPrepare
	case "handler":
		return kwHandler
	case "pragma":
		return kwPragma
	case "attach":
		return kwAttach
	case "rename":
		return kwRename
	case "dual":
		return kwDual
	case "fetch":
		return kwFetch
	case "first", "next":
		return kwFirst
	case "rows", "row":
		return kwRows
	case "only":
		return kwOnly
	case "over":
		return kwOver
	case "partition":
		return kwPartition
	case "character", "charset":
		return kwCharacter
	case "nowait":
		return kwNowait
	case "lock":
		return kwLock
	case "default":
		return kwDefault
	case "infile":
		return kwInfile
	case "share":
		return kwShare
	case "mode":
		return kwMode
	case "nolock":
		return kwNoLock
	}
	return kwNone
}

// fn classifies function names.
type fn uint8

// Function classes.
const (
	fnOther fn = iota
	fnTime     // makes the query slow on purpose
	fnError    // raises an error carrying data (error-based extraction)
	fnInfo     // tells about the server: version, user, database
	fnBuild    // builds strings or bits from codes: char, concat, hex, substring
	fnFile     // reads files or runs commands
	fnCond     // evaluates a condition: if, elt, make_set
	fnHeavy    // slow with a large count: repeat, randomblob, generate_series
)

// funcClass classifies a function by its lower-case name; qual is the
// lower-case qualifier before the last dot ("dbms_pipe"), or "".
func funcClass(name, qual string) fn {
	switch qual {
	case "dbms_pipe", "dbms_lock", "dbms_session", "user_lock":
		if name == "receive_message" || name == "sleep" {
			return fnTime
		}
	case "utl_inaddr", "utl_http", "httpuritype", "dbms_ldap", "utl_tcp", "dbms_xmlgen", "drithsx", "ctxsys":
		return fnError
	case "sys", "master", "dbo":
		if len(name) > 3 && (name[:3] == "xp_" || name[:3] == "sp_" || name[:3] == "fn_") {
			return fnFile
		}
	case "":
	default:
		// SQL built-ins take no qualifier; time.Sleep(5) is Go.
		return fnOther
	}
	switch name {
	case "sleep", "benchmark", "pg_sleep", "pg_sleep_for", "pg_sleep_until", "get_lock", "receive_message":
		return fnTime
	case "repeat", "randomblob", "zeroblob", "generate_series", "replicate", "space", "lpad", "rpad":
		return fnHeavy
	case "extractvalue", "updatexml", "gtid_subset", "gtid_subtract", "json_keys", "name_const",
		"polygon", "multipoint", "multipolygon", "multilinestring", "linestring", "geometrycollection",
		"st_latfromgeohash", "st_longfromgeohash", "st_pointfromgeohash", "xmltype", "get_host_name",
		"get_host_address", "getmappingxpath", "sn", "extractxml":
		return fnError
	case "version", "database", "schema", "user", "current_user", "system_user", "session_user", "db_name",
		"user_name", "suser_name", "suser_sname", "host_name", "connection_id", "last_insert_id", "current_database",
		"current_schema", "current_setting", "sqlite_version", "banner", "uuid", "is_srvrolemember", "has_dbaccess",
		"@@version", "@@datadir", "@@hostname", "@@basedir", "@@servername":
		return fnInfo
	case "char", "chr", "nchar", "concat", "concat_ws", "group_concat", "string_agg", "listagg", "hex", "unhex",
		"ascii", "ord", "substring", "substr", "mid", "left", "right", "lower", "upper", "lcase", "ucase", "length",
		"len", "char_length", "reverse", "instr", "locate", "position", "replace", "strcmp", "md5",
		"sha1", "sha2", "to_char", "to_hex", "unicode", "quote", "quote_ident", "decode", "encode", "bin", "conv",
		"make_set", "export_set", "soundex", "trim", "ltrim", "rtrim", "coalesce", "ifnull", "isnull",
		"nullif", "nvl", "count", "max", "min", "sum", "avg", "row", "like", "glob", "typeof", "substring_index",
		"charindex", "patindex", "stuff", "bitand", "cast_to_raw", "utl_raw", "rawtohex", "hextoraw",
		"dbms_random", "current_timestamp", "now", "sysdate", "getdate", "systimestamp", "char_to_nchar",
		"json_extract", "json_depth", "json_length", "json_type", "json_valid", "regexp_substring", "floor", "rand",
		"cast", "convert", "to_number", "xmlagg", "xmlelement", "st_geomfromtext", "st_astext", "crypt_key", "exp":
		return fnBuild
	case "load_file", "xp_cmdshell", "sp_oacreate", "sp_oamethod", "sp_executesql", "xp_dirtree", "xp_fileexist",
		"xp_regread", "sp_makewebtask", "openrowset", "opendatasource", "lo_import", "lo_export", "pg_read_file",
		"pg_ls_dir", "pg_read_binary_file", "sys_eval", "sys_exec", "dblink", "dblink_connect", "utl_file",
		"openquery", "bulk", "load_extension", "readfile", "writefile", "edit":
		return fnFile
	case "if", "iif", "elt", "case", "decode_if", "choose", "field", "interval":
		return fnCond
	}
	return fnOther
}

// schemaTable says whether a lower-case table or schema name is a
// catalogue of the database (information_schema, sysobjects, ...), which
// applications seldom take from users and attacks enumerate.
func schemaTable(name string) bool {
	switch name {
	case "information_schema", "sysobjects", "syscolumns", "sysusers", "sysdatabases", "sys", "mysql",
		"pg_catalog", "pg_tables", "pg_user", "pg_shadow", "pg_database", "pg_namespace", "sqlite_master",
		"sqlite_schema", "sqlite_temp_master", "all_tables", "all_tab_columns", "user_tables", "user_tab_columns",
		"all_users", "dba_users", "v$version", "v$instance", "sysibm", "systables", "syscat", "rdb$database",
		"rdb$fields", "rdb$types", "rdb$relations", "rdb$collations", "rdb$functions", "msysobjects",
		"msysaccessobjects", "sysmaster", "systables_all", "performance_schema", "master":
		return true
	}
	return false
}
