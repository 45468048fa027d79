export { compileMatcher, type MatcherPredicate } from './compile.js';
export { explainMatcher, formatExplanation, type Explanation } from './explain.js';
export { MatcherSyntaxError, type MatcherSyntaxErrorInit } from './matcher-syntax-error.js';
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_LENGTH, type MatcherOptions } from './parser.js';
