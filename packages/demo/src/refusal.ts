/** A request the demo refuses, with the status and the sentence the caller gets as `{ error }`. */
export class DemoRefusal extends Error {
  override readonly name = 'DemoRefusal';

  constructor(readonly statusCode: 401 | 403 | 405 | 421 | 429, message: string) {
    super(message);
  }
}
