const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Returns a time in milliseconds as the device's locale writes a date and time. */
export function formatTime(milliseconds: number): string {
	return timeFormat.format(milliseconds);
}
