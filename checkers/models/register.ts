// A read/write register: starts at nil, a read must return the last value written. A nil read is
// legal in any state (Knossos's rule: a read that returned nothing observed nothing).
import { registerModel } from './cas-register.js';

export const register = registerModel({
  name: 'register',
  summary: 'read, write v; starts at nil; a nil read is legal in any state',
  initial: null,
  nilRead: 'any',
  cas: false,
});
