import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	cleanDisplayText,
	confusableSkeleton,
	disambiguateDisplayNames,
	displayNameFor,
	MAX_COMBINING_MARKS,
	type NamedMember
} from '../../../src/lib/content/display-text.ts';

// Every code point the cleaning must remove, listed by the brief's categories rather than
// by the Unicode properties the implementation uses, so that the two check each other.
const bidiControls = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e].concat([
	0x2066, 0x2067, 0x2068, 0x2069
]);
const zeroWidth = [0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x00ad];
const forbiddenCodePoint = (codePoint: number): boolean =>
	bidiControls.includes(codePoint) ||
	zeroWidth.includes(codePoint) ||
	(codePoint >= 0xe0000 && codePoint <= 0xe007f) ||
	codePoint < 0x20 ||
	(codePoint >= 0x7f && codePoint <= 0x9f) ||
	(codePoint >= 0xd800 && codePoint <= 0xdfff);

function forbiddenCodePoints(text: string): string[] {
	// Iterating a string by code point yields lone surrogates as single units too.
	return Array.from(text)
		.map((character) => character.codePointAt(0) ?? 0)
		.filter(forbiddenCodePoint)
		.map((codePoint) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`);
}

describe('cleanDisplayText', () => {
	it.each([
		['right-to-left override', 'Alice\u202Eecila', 'Aliceecila'],
		['isolates', '\u2067Bob\u2069', 'Bob'],
		['left-to-right and Arabic marks', '\u200EAl\u061Cice\u200F', 'Alice'],
		['zero-width characters', 'Al\u200Bi\u200Cc\u200De\u2060\uFEFF', 'Alice'],
		['soft hyphen', 'Ali\u00ADce', 'Alice'],
		['tag characters', 'Alice\u{E0041}\u{E0042}\u{E007F}', 'Alice'],
		['unassigned tag characters', 'Alice\u{E0002}\u{E007E}', 'Alice'],
		['C0 and C1 controls', 'Al\u0000i\u0007c\u009Be\u007F', 'Alice'],
		['Hangul filler', '\u3164', ''],
		['invisible marks', 'Al\u034Fi\u180Bc\u180Fe', 'Alice'],
		['interlinear annotation', 'Alice\uFFF9hidden\uFFFA\uFFFB', 'Alicehidden'],
		['tabs and line breaks', 'Dr.\tJane\n\nSmith', 'Dr. Jane Smith'],
		['runs of spaces', '  Jane \u2003  Smith  ', 'Jane Smith'],
		['a space left by a removed character', 'Jane \u200B Smith', 'Jane Smith'],
		['decomposed accents', 'Jose\u0301', 'José'],
		['accents split by a zero-width space', 'Jose\u200B\u0301', 'José']
	])('should handle %s', (_description, input, expected) => {
		expect(cleanDisplayText(input)).toBe(expected);
	});

	it('should keep one variation selector after an emoji', () => {
		expect(cleanDisplayText('Sam \u2764\uFE0F')).toBe('Sam \u2764\uFE0F');
	});

	it('should drop a run of variation selectors that hides data', () => {
		const hidden = Array.from({ length: 16 }, (_, index) =>
			String.fromCodePoint(0xe0100 + index)
		).join('');
		expect(cleanDisplayText(`Sam\u{1F600}${hidden}`)).toBe(
			`Sam\u{1F600}${String.fromCodePoint(0xe0100)}`
		);
	});

	it('should drop a variation selector with no character before it', () => {
		expect(cleanDisplayText('\uFE0FSam \uFE0Fx')).toBe('Sam x');
	});

	it('should limit stacked combining marks', () => {
		const zalgo = `Z${'\u0336\u0337\u0338\u0339\u033A'.repeat(4)}`;
		const cleaned = cleanDisplayText(zalgo);
		expect(cleaned.normalize('NFD').length).toBe(1 + MAX_COMBINING_MARKS);
	});

	it('should cut long text at a grapheme boundary and mark the cut', () => {
		const cleaned = cleanDisplayText(`${'a'.repeat(9)}e\u0301${'b'.repeat(5)}`, { maxLength: 11 });
		expect(cleaned).toBe(`${'a'.repeat(9)}é…`);
	});

	it('should not split a family emoji when it cuts', () => {
		// U+200D is removed, so the family becomes four separate emoji first.
		const cleaned = cleanDisplayText('👨‍👩‍👧‍👦👨‍👩‍👧‍👦', { maxLength: 3 });
		expect(cleaned).toBe('👨👩…');
	});

	it('should keep line breaks when asked', () => {
		expect(cleanDisplayText('a\r\nb\u2028c \n\n\n\n d', { keepLineBreaks: true })).toBe(
			'a\nb\nc\n\nd'
		);
	});

	it('should return an empty string for a non-string', () => {
		expect(cleanDisplayText(undefined)).toBe('');
		expect(cleanDisplayText({ toString: () => 'x' })).toBe('');
	});
});

describe('cleanDisplayText properties', () => {
	const hostileText = fc.oneof(
		fc.string({ unit: 'binary', maxLength: 80 }),
		fc.string({
			unit: fc.constantFrom(
				...[
					...bidiControls,
					...zeroWidth,
					0xe0001,
					0xe0002,
					0xe0041,
					0xfe0f,
					0xe0100,
					0x0301,
					0x3164
				].map((codePoint) => String.fromCodePoint(codePoint)),
				'a',
				' ',
				'\n',
				'\uD800',
				'\uDC00',
				'e'
			),
			maxLength: 80
		})
	);

	it('should never leave a bidi, zero-width or control code point', () => {
		fc.assert(
			fc.property(hostileText, fc.boolean(), (text, keepLineBreaks) => {
				const cleaned = cleanDisplayText(text, { keepLineBreaks });
				expect(forbiddenCodePoints(cleaned.replaceAll('\n', ''))).toEqual([]);
				if (!keepLineBreaks) expect(cleaned).not.toContain('\n');
			}),
			{ numRuns: 2000 }
		);
	});

	it('should be idempotent and in NFC', () => {
		fc.assert(
			fc.property(hostileText, fc.integer({ min: 1, max: 40 }), (text, maxLength) => {
				const cleaned = cleanDisplayText(text, { maxLength });
				expect(cleanDisplayText(cleaned, { maxLength })).toBe(cleaned);
				expect(cleaned.normalize('NFC')).toBe(cleaned);
			}),
			{ numRuns: 2000 }
		);
	});
});

describe('displayNameFor', () => {
	it('should use the cleaned display name', () => {
		expect(displayNameFor({ userId: '@a:x.example', displayName: ' Alex\u200B ' })).toBe('Alex');
	});

	it.each([
		['no display name', undefined],
		['a null display name', null],
		['an empty display name', ''],
		['a name of only invisible characters', '\u200B\u202E\u3164\u2800'],
		['a name of only spaces', ' \t '],
		['a display name that is not a string', 42 as unknown as string]
	])('should fall back to the Matrix ID for %s', (_description, displayName) => {
		expect(displayNameFor({ userId: '@alex:clinic.example', displayName })).toBe(
			'@alex:clinic.example'
		);
	});
});

describe('confusableSkeleton', () => {
	it.each([
		['Cyrillic і', 'Dr. Smith', 'Dr. Smіth'],
		['Cyrillic а and о', 'Joanna', 'Jоаnna'],
		['Greek capitals', 'ANNA', 'ΑΝΝΑ'],
		['digit zero for O', 'Bob', 'B0b'],
		['digit one for l', 'Bill', 'Bi11'],
		['capital I for l', 'Alice', 'AIice'],
		['rn for m', 'Mary', 'rnary'],
		['full-width forms', 'Alice', 'Ａｌｉｃｅ'],
		['mathematical letters', 'Alice', '𝐀𝐥𝐢𝐜𝐞'],
		['case', 'alice', 'ALICE'],
		['accents', 'Jose', 'José'],
		['dot below', 'Smith', 'Smịth'],
		['zero-width characters', 'Alice', 'Al\u200Bice'],
		['typographic apostrophe', "O'Brien", 'O’Brien'],
		['en dash for hyphen', 'Lee-Ann', 'Lee–Ann']
	])('should fold %s', (_description, original, lookAlike) => {
		expect(confusableSkeleton(lookAlike)).toBe(confusableSkeleton(original));
	});

	it.each([
		['Alice', 'Alicia'],
		['Dr. Smith', 'Dr. Jones'],
		['Sam', 'Pam'],
		['Lee', 'Leo']
	])('should keep %s and %s apart', (first, second) => {
		expect(confusableSkeleton(first)).not.toBe(confusableSkeleton(second));
	});
});

function labelsOf(members: NamedMember[]): Record<string, [string, boolean]> {
	const labels = disambiguateDisplayNames(members);
	return Object.fromEntries(
		Array.from(labels, ([userId, { label, showUserId }]) => [userId, [label, showUserId]])
	);
}

describe('disambiguateDisplayNames', () => {
	it('should show unique names without Matrix IDs', () => {
		expect(
			labelsOf([
				{ userId: '@smith:clinic.example', displayName: 'Dr. Smith' },
				{ userId: '@sam:home.example', displayName: 'Sam' }
			])
		).toEqual({
			'@smith:clinic.example': ['Dr. Smith', false],
			'@sam:home.example': ['Sam', false]
		});
	});

	it('should show Matrix IDs for a Cyrillic look-alike', () => {
		expect(
			labelsOf([
				{ userId: '@smith:clinic.example', displayName: 'Dr. Smith' },
				{ userId: '@mallory:evil.example', displayName: 'Dr. Smіth' }
			])
		).toEqual({
			'@smith:clinic.example': ['Dr. Smith', true],
			'@mallory:evil.example': ['Dr. Smіth', true]
		});
	});

	it('should show Matrix IDs for the same name', () => {
		expect(
			labelsOf([
				{ userId: '@alice1:a.example', displayName: 'Alice' },
				{ userId: '@alice2:b.example', displayName: 'Alice' },
				{ userId: '@bob:a.example', displayName: 'Bob' }
			])
		).toEqual({
			'@alice1:a.example': ['Alice', true],
			'@alice2:b.example': ['Alice', true],
			'@bob:a.example': ['Bob', false]
		});
	});

	it('should flag names differing only invisibly', () => {
		expect(
			labelsOf([
				{ userId: '@alice:a.example', displayName: 'Alice' },
				{ userId: '@mallory:evil.example', displayName: 'Al\u200Bice\u202E' }
			])
		).toEqual({
			'@alice:a.example': ['Alice', true],
			'@mallory:evil.example': ['Alice', true]
		});
	});

	it('should flag a copy of a member ID', () => {
		expect(
			labelsOf([
				{ userId: '@therapist:clinic.example', displayName: 'Dr. Jane Smith' },
				{ userId: '@mallory:evil.example', displayName: '@therapist:clinic.example' }
			])
		).toEqual({
			'@therapist:clinic.example': ['Dr. Jane Smith', true],
			'@mallory:evil.example': ['@therapist:clinic.example', true]
		});
	});

	it('should flag a look-alike copy of an ID', () => {
		const labels = disambiguateDisplayNames([
			{ userId: '@alice:clinic.example', displayName: null },
			{ userId: '@mallory:evil.example', displayName: '@aIice:cIinic.example' }
		]);
		expect(labels.get('@alice:clinic.example')).toEqual({
			label: '@alice:clinic.example',
			showUserId: false
		});
		expect(labels.get('@mallory:evil.example')).toEqual({
			label: '@aIice:cIinic.example',
			showUserId: true
		});
	});

	it('should flag a name shaped like an ID', () => {
		expect(
			labelsOf([{ userId: '@mallory:evil.example', displayName: '@admin:clinic.example' }])
		).toEqual({ '@mallory:evil.example': ['@admin:clinic.example', true] });
	});

	it("should accept a member's own ID as name", () => {
		expect(labelsOf([{ userId: '@sam:home.example', displayName: '@sam:home.example' }])).toEqual({
			'@sam:home.example': ['@sam:home.example', false]
		});
	});

	it('should fall back to the Matrix ID for an empty name', () => {
		expect(
			labelsOf([
				{ userId: '@ghost:evil.example', displayName: '\u200B\u3164' },
				{ userId: '@sam:home.example', displayName: 'Sam' }
			])
		).toEqual({
			'@ghost:evil.example': ['@ghost:evil.example', false],
			'@sam:home.example': ['Sam', false]
		});
	});

	it('should handle prototype property names as IDs and names', () => {
		const labels = disambiguateDisplayNames([
			{ userId: '__proto__', displayName: '__proto__' },
			{ userId: 'constructor', displayName: 'constructor' },
			{ userId: '@a:x.example', displayName: 'hasOwnProperty' },
			{ userId: '@b:x.example', displayName: '__proto__' }
		]);
		expect(labels.size).toBe(4);
		expect(labels.get('__proto__')).toEqual({ label: '__proto__', showUserId: false });
		expect(labels.get('constructor')).toEqual({ label: 'constructor', showUserId: false });
		expect(labels.get('@a:x.example')).toEqual({ label: 'hasOwnProperty', showUserId: false });
		expect(labels.get('@b:x.example')).toEqual({ label: '__proto__', showUserId: true });
		expect(Object.getPrototypeOf({})).toBe(Object.prototype);
		expect(({} as Record<string, unknown>).hasOwnProperty).toBe(Object.prototype.hasOwnProperty);
	});

	it('should count a repeated user ID once, with its last name', () => {
		expect(
			labelsOf([
				{ userId: '@sam:home.example', displayName: 'Old name' },
				{ userId: '@sam:home.example', displayName: 'Sam' }
			])
		).toEqual({ '@sam:home.example': ['Sam', false] });
	});

	it('should compare labels as shown when long names are cut', () => {
		const prefix = 'Dr. Jane Smith, Clinical Psychologist '.repeat(8);
		const labels = disambiguateDisplayNames([
			{ userId: '@jane:clinic.example', displayName: `${prefix}(real)` },
			{ userId: '@mallory:evil.example', displayName: `${prefix}(fake)` }
		]);
		expect(labels.get('@jane:clinic.example')?.showUserId).toBe(true);
		expect(labels.get('@mallory:evil.example')?.showUserId).toBe(true);
	});
});

describe('cleanDisplayText with variation selectors', () => {
	it('should not leave a double space where a selector is dropped', () => {
		const cleaned = cleanDisplayText('a \uFE0F b');

		expect(cleaned).toBe('a b');
		expect(cleanDisplayText(cleaned)).toBe(cleaned);
	});
});
