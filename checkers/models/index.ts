// Every model by the name `check --model` takes.
import type { Model } from '../model.js';
import { casRegister, casRegisterAbsent } from './cas-register.js';
import { counter } from './counter.js';
import { kv } from './kv.js';
import { multiRegister } from './multi-register.js';
import { mutex } from './mutex.js';
import { queue } from './queue.js';
import { register } from './register.js';
import { set } from './set.js';

export const models: Readonly<Record<string, Model>> = {
  register,
  'cas-register': casRegister,
  'cas-register-absent': casRegisterAbsent,
  kv,
  'multi-register': multiRegister,
  set,
  queue,
  counter,
  mutex,
};

export function findModel(name: string): Model | undefined {
  return Object.prototype.hasOwnProperty.call(models, name) ? models[name] : undefined;
}
