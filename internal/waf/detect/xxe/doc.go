// Package xxe detects XML external entity attacks and the other ways an
// XML document makes its parser fetch or expand something: a DOCTYPE with
// an external DTD or an internal subset declaring external or parameter
// entities, entity definitions that expand into each other (billion
// laughs), XInclude elements, schema includes and imports, and
// xsi:schemaLocation hints that are not ordinary namespace/.xsd pairs.
// Documents written in UTF-7 ("+ADw-!DOCTYPE") or UTF-16 are decoded
// before they are judged.
//
// Values come whole (a raw body, XML in a form field) or as the engine's
// XML extractor cuts them: the DOCTYPE with its internal subset as one
// value, attribute values one by one (a schemaLocation attribute is judged
// by its name, an xmlns value naming XInclude is an XInclude). Element
// names do not reach detectors that way, so xs:include and xi:include
// elements are only seen in raw XML.
//
// Declarations are parsed, not matched: "<!DOCTYPE html>" and the W3C,
// OASIS or Apple DTDs of XHTML, SVG, DocBook and property lists have no
// internal subset and name a standards body's DTD, and pass.
//
// Rules and scores:
//
//	xxe.external-entity   <!ENTITY x SYSTEM|PUBLIC ...>                 5
//	xxe.parameter-entity  <!ENTITY % x ...> or a %x; reference          5
//	xxe.external-dtd      <!DOCTYPE x SYSTEM|PUBLIC "..."> elsewhere    5; 3 for a relative path,
//	                      2 at paranoia 2 for standards bodies' DTDs
//	xxe.entity-expansion  an entity whose value references entities     3, 5 with two or more references
//	xxe.internal-subset   a DOCTYPE with an internal subset             3
//	xxe.xinclude          an XInclude element, or the XInclude          5
//	                      namespace declared
//	xxe.schema            xs:include/import/redefine with a location    5, 3 with a relative one
//	xxe.schema-location   xsi:schemaLocation not made of .xsd pairs    5 (2 at paranoia 2 otherwise)
//
// A Detector is stateless and safe for concurrent use.
package xxe
