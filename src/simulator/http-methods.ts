/** The methods that change something: the request log keeps them, and faults draw them from their own stream. */
export const MUTATING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
