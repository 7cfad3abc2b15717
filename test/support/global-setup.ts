/** Runs once before the suite. Integration files create their own isolated schema/prefix. */
export default function setup(): void {}
