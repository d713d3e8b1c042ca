/**
 * What the machines ask the outside world to do. A machine never performs
 * these: `transition()` returns them as actions, the engine appends the
 * events first and then hands the requests to the runtime. The type is read
 * off the stage machine's declared actions (`stage.ts`, `setup({ actions })`),
 * so a request and its parameters are written once, where the machine uses them.
 */
import type { StateMachine } from 'xstate';
import type { stageMachine } from './stage.js';

/** The parameterized actions a machine was set up with: `{ type, params }` for each. */
type ActionsOf<M> =
  M extends StateMachine<
    infer _Context,
    infer _Event,
    infer _Children,
    infer _Actor,
    infer Action,
    infer _Guard,
    infer _Delay,
    infer _StateValue,
    infer _Tag,
    infer _Input,
    infer _Output,
    infer _Emitted,
    infer _Meta,
    infer _Schema,
    infer _TransitionMeta
  >
    ? Action
    : never;

export type EffectRequest = ActionsOf<typeof stageMachine>;

export type EffectType = EffectRequest['type'];
