/**
 * Cleaning of text that other people choose and Alcove shows as plain text: display names,
 * room names, plain message bodies.
 *
 * Threat model: a member of a care room, or a homeserver that relays their events, picks
 * the text to make Alcove show something other than what the text seems to be. The tools
 * are invisible characters (an empty-looking name, a name with data hidden in it),
 * bidirectional controls that reorder what follows them on screen, and look-alike letters
 * from other scripts ("Dr. Smіth" with a Cyrillic і) that impersonate another member.
 * The functions here remove the first two and detect the third, so that the interface can
 * show the Matrix ID next to a name that could be mistaken for someone else's.
 */

/** Default maximum length of a cleaned label, in grapheme clusters (user-perceived characters). */
export const DEFAULT_MAX_DISPLAY_LENGTH = 256;

/**
 * Maximum combining marks kept after one base character. Vietnamese, Indic and Hebrew
 * with vowel points and cantillation rarely stack more than three marks on one letter
 * after NFC. This is our estimate, not a Unicode limit: marks beyond it are only
 * "Zalgo" text that spills over the lines around it.
 */
export const MAX_COMBINING_MARKS = 4;

/** Options for {@link cleanDisplayText}. */
export interface CleanDisplayTextOptions {
	/** Maximum length in grapheme clusters; longer text is cut and ends with "…". */
	readonly maxLength?: number;
	/**
	 * Keeps line breaks (as `\n`) instead of folding them into spaces, for message bodies.
	 * Other whitespace still folds into one space.
	 */
	readonly keepLineBreaks?: boolean;
}

// Characters removed outright. Each range is a way to make text look different from what
// it is:
// - \p{Cc}: C0 and C1 controls and DEL. Whitespace controls (tab, line feed, …) are turned
//   into spaces before this runs.
// - \p{Cf}: format characters. Among them are the bidirectional embeddings, overrides and
//   isolates (U+202A–202E, U+2066–2069) and the marks U+200E, U+200F and U+061C. Also in
//   Cf: the zero-width space, non-joiner and joiner (U+200B–200D), the word joiner and
//   invisible operators (U+2060–2064), U+FEFF and the soft hyphen U+00AD. The interlinear
//   annotation characters (U+FFF9–FFFB) hide text.
// - U+E0000–E007F: the tag characters, which hide data. The assigned ones are Cf, and the
//   range is listed whole so that the unassigned ones go too.
// - \p{Cs}: lone surrogates, which are not characters at all.
// - U+034F combining grapheme joiner and the Mongolian selectors U+180B–180F, which are
//   invisible marks.
// - U+115F, U+1160, U+3164, U+FFA0 Hangul fillers and U+2800 braille blank, which render
//   as blank space and are the usual way to make a name that looks empty.
// The marks are alternatives outside the main character class, so that none of them
// seems to combine with the character before it there.
const invisiblePattern =
	/[\p{Cc}\p{Cf}\p{Cs}\u{E0000}-\u{E007F}\u115F\u1160\u3164\uFFA0\u2800]|\u034F|[\u180B-\u180F]/gu;

// Variation selectors VS1–VS16 and VS17–VS256. One after a character is legitimate (an
// emoji's presentation, an ideographic variant in a Japanese name). A run of them, or one
// with no character before it, is how data is hidden inside text that looks short.
const variationSelectorPattern = /[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u;
const combiningMarkPattern = /\p{M}/u;

// Line breaks as Unicode defines them: CR LF, LF, CR, NEL, LS, PS. (VT and FF count as spaces.)
const lineBreakPattern = /\r\n|[\n\r\u0085\u2028\u2029]/g;
// Tab, VT, FF and the Unicode space separators. Unlike \s this leaves out U+FEFF, which is
// invisible and so removed rather than turned into a space.
const spaceRunPattern = /[\t\v\f \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+/g;

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Removes invisible and reordering characters from text chosen by someone else, folds
 * whitespace, normalises to NFC and limits the length.
 *
 * The result contains no C0 or C1 control (other than `\n` with `keepLineBreaks`), no
 * format character (so no bidirectional control and no zero-width character), no run of
 * variation selectors, at most {@link MAX_COMBINING_MARKS} marks on one character, and no
 * leading or trailing whitespace. Right-to-left names still render right to left, so show
 * the result inside `<bdi>` (or with `dir="auto"`) to keep it from reordering the text
 * around it.
 *
 * @param text - the untrusted text; a non-string gives `''`.
 * @param options - length limit and line-break handling.
 */
export function cleanDisplayText(text: unknown, options: CleanDisplayTextOptions = {}): string {
	if (typeof text !== 'string') return '';
	const maxLength = options.maxLength ?? DEFAULT_MAX_DISPLAY_LENGTH;

	// Whitespace first, because \p{Cc} below would delete the tabs and line feeds that
	// separate words.
	let cleaned = text
		.replace(lineBreakPattern, options.keepLineBreaks ? '\n' : ' ')
		.replace(spaceRunPattern, ' ')
		.replace(invisiblePattern, (character) => (character === '\n' ? '\n' : ''))
		.replace(/ {2,}/g, ' ');

	// NFC before limiting marks, because NFC decomposes a few precomposed letters (such as
	// Devanagari U+0958) into a letter and a mark. NFC again after: taking out a character
	// can let a letter and a mark compose, which only lowers the count. NFC produces none
	// of the removed characters (checked for every code point in Node 24).
	cleaned = limitMarks(cleaned.normalize('NFC')).normalize('NFC');
	// A dropped variation selector between two spaces leaves a double space.
	cleaned = cleaned.replace(/ {2,}/g, ' ');
	if (options.keepLineBreaks) cleaned = cleaned.replace(/ ?\n ?/g, '\n').replace(/\n{3,}/g, '\n\n');
	return truncateGraphemes(cleaned.trim(), maxLength);
}

/** Drops variation selectors that do not follow a character, and marks beyond the limit. */
function limitMarks(text: string): string {
	let result = '';
	let marksInRow = 0;
	let selectorAllowed = false;
	for (const character of text) {
		if (variationSelectorPattern.test(character)) {
			if (selectorAllowed) result += character;
			selectorAllowed = false;
			continue;
		}
		if (combiningMarkPattern.test(character)) {
			marksInRow += 1;
			if (marksInRow <= MAX_COMBINING_MARKS) result += character;
			continue;
		}
		marksInRow = 0;
		selectorAllowed = character !== ' ' && character !== '\n';
		result += character;
	}
	return result;
}

function truncateGraphemes(text: string, maxLength: number): string {
	// Text this short cannot have more grapheme clusters than code units.
	if (text.length <= maxLength) return text;
	const graphemes: string[] = [];
	for (const { segment } of graphemeSegmenter.segment(text)) {
		graphemes.push(segment);
		if (graphemes.length > maxLength) break;
	}
	if (graphemes.length <= maxLength) return text;
	return `${graphemes
		.slice(0, Math.max(0, maxLength - 1))
		.join('')
		.trimEnd()}…`;
}

/** A room member as far as naming is concerned. */
export interface NamedMember {
	/** The member's Matrix ID, such as `@alex:clinic.example`. */
	readonly userId: string;
	/** The `displayname` of their `m.room.member` event; absent or `null` when they set none. */
	readonly displayName?: string | null;
}

// A Matrix ID is at most 255 characters (appendices, "User Identifiers").
const MAX_USER_ID_LENGTH = 255;

/**
 * Returns the name to show for a member: their cleaned display name, or their Matrix ID
 * when they have none or it is empty after cleaning. This is steps 1 and 2 of the spec's
 * algorithm (https://spec.matrix.org/v1.16/client-server-api/#calculating-the-display-name-for-a-user);
 * {@link disambiguateDisplayNames} does the rest.
 */
export function displayNameFor(
	member: NamedMember,
	maxLength = DEFAULT_MAX_DISPLAY_LENGTH
): string {
	const name = cleanDisplayText(member.displayName, { maxLength });
	if (name !== '') return name;
	return cleanDisplayText(member.userId, { maxLength: MAX_USER_ID_LENGTH });
}

// Capital letters of Greek and Cyrillic that look like Latin capitals. They are folded
// before lower-casing, because their lower-case forms look different: Greek Ν is an N but
// ν is a v, Cyrillic Н is an H but н is a small-capital H.
const capitalConfusableGroups: ReadonlyArray<readonly [string, string]> = [
	['A', 'ΑА'],
	['B', 'ΒВ'],
	['C', 'СϹ'],
	['E', 'ΕЕ'],
	['H', 'ΗН'],
	['I', 'ΙІӀ'],
	['J', 'Ј'],
	['K', 'ΚК'],
	['M', 'ΜМ'],
	['N', 'Ν'],
	['O', 'ΟО'],
	['P', 'ΡР'],
	['Q', 'Ԛ'],
	['S', 'Ѕ'],
	['T', 'ΤТ'],
	['W', 'Ԝ'],
	['X', 'ΧХ'],
	['Y', 'ΥҮ'],
	['Z', 'Ζ']
];

// Look-alikes folded after NFKC and lower-casing. Together with the capitals above, a
// hand-picked subset of Unicode's confusables data (UTS #39,
// https://www.unicode.org/reports/tr39/): the Cyrillic and Greek letters that look like
// Latin ones in common fonts, the letters that look like digits, and the punctuation that
// copies ASCII.
const confusableGroups: ReadonlyArray<readonly [string, string]> = [
	['a', 'аα⍺ɑ'],
	['b', 'ьвβƅ'],
	['c', 'сϲᴄⅽ'],
	['d', 'ԁⅾ'],
	['e', 'еεҽ℮ɛ'],
	['g', 'ɡց'],
	['h', 'һн'],
	['j', 'ј'],
	['k', 'κкⲕ'],
	// Capital I, lower-case l, the digit 1 and the vertical bars look the same in many
	// sans-serif fonts. After lower-casing, i stands for I, so it joins them.
	['l', 'i1|ǀıɩιіӏⅼ∣'],
	['m', 'мⅿ'],
	['n', 'ոπпη'],
	['o', '0оοσօ০'],
	['p', 'рρ⍴'],
	['q', 'ԛ'],
	['r', 'гᴦ'],
	['s', 'ѕꜱ'],
	['t', 'тτ'],
	['u', 'υսʋ'],
	['v', 'νѵⅴ'],
	['w', 'ԝѡ'],
	['x', 'хχⅹ×'],
	['y', 'уүγ'],
	['z', 'ᴢ'],
	["'", '‘’‛′ʹʻʼʽ`´'],
	['"', '“”„‟″'],
	['-', '‐‑‒–—―−⁃'],
	['.', '·•∙․‧'],
	[':', '∶ː˸']
];

function lookAlikeMap(groups: ReadonlyArray<readonly [string, string]>): Map<string, string> {
	return new Map(
		groups.flatMap(([target, lookAlikes]) =>
			Array.from(lookAlikes, (character) => [character, target] as const)
		)
	);
}

const capitalConfusableMap: ReadonlyMap<string, string> = lookAlikeMap(capitalConfusableGroups);
const confusableMap: ReadonlyMap<string, string> = lookAlikeMap(confusableGroups);

function foldCharacters(text: string, map: ReadonlyMap<string, string>): string {
	return Array.from(text, (character) => map.get(character) ?? character).join('');
}

// Sequences of Latin letters that render like one letter, checked after the mapping above.
const confusableSequences: ReadonlyArray<readonly [RegExp, string]> = [
	[/rn/g, 'm'],
	[/vv/g, 'w']
];

/**
 * Computes a skeleton of `text`: two strings that a reader could take for each other get
 * the same skeleton. It follows the idea of the UTS #39 skeleton on a subset of its data.
 * The steps: clean the text and apply NFKC, which turns full-width forms, ligatures and
 * mathematical letters into plain ones. Then fold look-alike capitals, lower-case, drop
 * combining marks, and fold look-alike letters, digits and punctuation. Last, fold `rn`
 * to `m` and `vv` to `w`.
 *
 * The skeleton is only for comparison and is never shown. Unlike UTS #39 it also ignores
 * case and accents, so more pairs collide than strictly look alike. For display names a
 * false match only adds the Matrix ID, while a missed one lets a member impersonate another.
 */
export function confusableSkeleton(text: string): string {
	const normalised = cleanDisplayText(text, { maxLength: Number.MAX_SAFE_INTEGER }).normalize(
		'NFKC'
	);
	let folded = foldCharacters(normalised, capitalConfusableMap)
		.toLowerCase()
		.normalize('NFD')
		.replace(/\p{M}/gu, '');
	folded = foldCharacters(folded, confusableMap);
	for (const [sequence, replacement] of confusableSequences) {
		folded = folded.replace(sequence, replacement);
	}
	return folded;
}

/** How to show one member's name. */
export interface MemberLabel {
	/** The cleaned display name, or the Matrix ID when the member has no usable name. */
	readonly label: string;
	/**
	 * True when the Matrix ID must be shown next to the label, because the label could be
	 * mistaken for another member's name or Matrix ID, or itself looks like a Matrix ID.
	 */
	readonly showUserId: boolean;
}

// The shape of a Matrix ID after skeleton folding: "@", a localpart, ":", a server name.
// Loose on purpose: anything that reads as an ID should not be accepted as a name.
const userIdShapePattern = /^\s*@[^\s:]+\s*:\s*\S+$/;

/**
 * Labels every member of a room so that no one can pass for someone else.
 *
 * The spec's algorithm (https://spec.matrix.org/v1.16/client-server-api/#calculating-the-display-name-for-a-user)
 * adds the Matrix ID when two members share a display name. Alcove compares skeletons
 * ({@link confusableSkeleton}) instead of exact names, so a look-alike name also counts as
 * shared. It also adds the Matrix ID to a name that looks like a Matrix ID (unless it is the
 * member's own), and to the member whose ID the name copies.
 *
 * Pass the members whose `membership` is `join` or `invite`, the set the spec's algorithm
 * compares. A user ID that occurs more than once counts once, with its last display name.
 *
 * @returns a map from user ID to label, with an entry for every distinct user ID.
 */
export function disambiguateDisplayNames(members: Iterable<NamedMember>): Map<string, MemberLabel> {
	// User IDs and names are chosen by others, so every lookup is a Map: an ID or name such
	// as "__proto__" or "constructor" is only a key here.
	const labels = new Map<string, string>();
	for (const member of members) labels.set(member.userId, displayNameFor(member));

	const usersByLabelSkeleton = new Map<string, Set<string>>();
	const usersByIdSkeleton = new Map<string, Set<string>>();
	for (const [userId, label] of labels) {
		addToGroup(usersByLabelSkeleton, confusableSkeleton(label), userId);
		addToGroup(usersByIdSkeleton, confusableSkeleton(userId), userId);
	}

	const flagged = new Set<string>();
	for (const [userId, label] of labels) {
		const labelSkeleton = confusableSkeleton(label);
		const ownIdSkeleton = confusableSkeleton(userId);

		// Names that look alike: every holder shows their ID.
		const sameLabel = usersByLabelSkeleton.get(labelSkeleton);
		if (sameLabel && sameLabel.size > 1) flagged.add(userId);

		// A label that looks like other members' IDs: this member and those members.
		for (const other of usersByIdSkeleton.get(labelSkeleton) ?? []) {
			if (other === userId) continue;
			flagged.add(userId);
			flagged.add(other);
		}

		// A label shaped like any Matrix ID other than the member's own, such as the ID of
		// someone who is not in the room.
		if (labelSkeleton !== ownIdSkeleton && userIdShapePattern.test(labelSkeleton)) {
			flagged.add(userId);
		}
	}

	const result = new Map<string, MemberLabel>();
	for (const [userId, label] of labels) {
		// A label that is the member's own ID already shows it.
		const showUserId = flagged.has(userId) && label !== userId;
		result.set(userId, { label, showUserId });
	}
	return result;
}

function addToGroup(groups: Map<string, Set<string>>, key: string, userId: string): void {
	const group = groups.get(key);
	if (group) group.add(userId);
	else groups.set(key, new Set([userId]));
}
