// Package nosqli detects NoSQL injection against MongoDB-style query
// languages: query operators smuggled in as keys (JSON keys and argument
// names such as "password[$ne]"), operator objects inside string values
// ("{"$gt": ""}", "', $or: [{}, {'a':'a"), and server-side JavaScript in
// values that reach $where, mapReduce or $function ("';return true;var
// x='", "|| 1==1", "this.password.match(/.*/)", "sleep(5000)",
// "db.users.drop()").
//
// JavaScript is judged with a small tokenizer: a value must break out of
// the string or number it is placed in (a leading quote after word
// characters, or a leading literal followed by ';', '||', '&&' or ',') and
// then hold statements (return, var/let/const, new, loops, functions,
// sleep, this.field, tautologies); or it must start with a statement
// that needs no breakout (a mongo shell call, sleep(n), a this.field test).
// Prose with '$' ("$5", "the $ne operator") and code without a breakout
// pass.
//
// Rules and scores:
//
//	nosqli.operator     a query operator as a key                         5
//	nosqli.js           JavaScript after a breakout or a statement start  5
//	nosqli.js           a mongo shell call or sleep() inside other text   3
//	nosqli.js           a this.field comparison alone                     4
//
// Routes that legitimately take Mongo-style filters from clients (Strapi's
// "filters[price][$gte]=10") need an exclusion for nosqli.operator.
//
// A Detector is stateless and safe for concurrent use.
package nosqli
