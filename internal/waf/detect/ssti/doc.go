// Package ssti detects server-side template injection: template
// expressions and statements whose content does something — arithmetic on
// literals ("{{7*7}}", "${1337*1338}", "#{16*8787}"), Python internals
// ("{{”.__class__.__mro__}}"), method calls ("{{config.items()}}"),
// code-execution and reflection sinks ("T(java.lang.Runtime)",
// "?new()", "$class.inspect(...)", "system('id')") — in the syntaxes of
// the common engines: Jinja2/Twig/Nunjucks/Handlebars/Angular "{{ }}" and
// "{% %}", FreeMarker/EL/Velocity/Mako "${ }", Ruby/EL "#{ }", Thymeleaf
// "*{ }" and "~{ }", OGNL "%{ }", ERB/JSP/EJS "<% %>", Razor "@( )" and
// "@{ }", FreeMarker "<#assign>", Velocity "#set(", Smarty "{php}" and
// "{system(...)}" and "{$smarty.version}", Template Toolkit "[% %]".
//
// The content of each delimiter is tokenized and judged, so placeholders
// — "{{name}}", "{{ user.name | upper }}", "${HOME}", "#{id}" in help
// texts, Mustache sections, Go templates — pass: a placeholder names a
// value, an injection computes or calls.
//
// Rules and scores:
//
//	ssti.expression   literal arithmetic, internals, sinks, literal members,  5
//	                  method calls ("${a.b()}" 4)
//	ssti.expression   a member chain from an engine global through the        5
//	                  server's internals in "{{ }}" ("app.request.server",
//	                  "_self.env", "app['request']['cookies']"), or handed
//	                  to a filter that calls ("request.args|filter('system')");
//	                  "request.user.username" is a placeholder, however deep
//	ssti.expression   a plain function call ("{{ url_for('x') }}",            4
//	                  "{{ item.price|number_format(2) }}") in "{{ }}", else 3
//	ssti.expression   an engine global alone or with one member               3
//	                  ("{{config}}", "{{ request.path }}")
//	ssti.statement    the above inside statements and directives (but not     5
//	                  the member chain, as "{% if request.user.x %}" is common)
//	ssti.statement    set/import/include/... statements with plain content    5
//	                  (with, assign, ... 4; for 3; FreeMarker and Velocity
//	                  directives 4)
//	ssti.statement    a FreeMarker directive over a range of literals         5
//	                  ("<#list 1..3 as x>", "<#assign r = 0..<10>"); one over
//	                  names ("<#list items as item>", "<#if x>") 0
//	ssti.statement    Smarty's reserved variable: "{$smarty.version}",        5
//	                  "{$smarty.server.X}", "{$smarty.const.X}" ("{$name}" 0)
//	ssti.statement    {php}                                                   5
//	ssti.probe        the polyglot error probe: openers of three template     5
//	                  syntaxes within 16 bytes ("${{<%[%'\"}}%\.")
//
// A Detector is stateless and safe for concurrent use.
package ssti
