import { useCallback, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  benefitUnitValues,
  cadenceValues,
  currencyValues,
  type ProgramContentBody,
  programKindValues,
} from '../../../../src/shared/api/programs.js';
import { Field } from '../../components/field.js';
import { listStates } from '../../geography/divisions.js';
import { RuleField } from './rule-field.js';

type BenefitKind = 'basket' | 'amount' | 'formula';
type BasketLine = { item: string; quantity: number; unit: string; carryOver?: boolean };

export const emptyContent: ProgramContentBody = {
  nameEs: '',
  nameEn: '',
  descriptionEs: '',
  descriptionEn: '',
  kind: 'in_kind',
  unit: 'household',
  regions: [],
  cadence: 'monthly',
  benefit: { basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] },
  budgetCap: '1000',
  eligibilityRule: '',
};

/**
 * The program editor (issue #13, point 10): names and descriptions in both languages, kind,
 * unit, states, cadence, the benefit (a basket, a fixed amount or a formula), the budget and
 * the rule, checked as it is typed. Used to create a program and to save a new version, which
 * starts from the latest one. Submitting is offered only once the rule (and formula) check.
 *
 * @example
 *   <ProgramEditor initial={latest} submitLabel={t('programs.saveVersion')} onSubmit={save} />
 */
export function ProgramEditor(props: {
  initial: ProgramContentBody;
  withCode: boolean;
  submitLabel: string;
  busy: boolean;
  onSubmit: (content: ProgramContentBody, code: string) => void;
}) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const [content, setContent] = useState<ProgramContentBody>(props.initial);
  const [ruleValid, setRuleValid] = useState(false);
  const [formulaValid, setFormulaValid] = useState(false);
  const onRuleValidity = useCallback((valid: boolean) => setRuleValid(valid), []);
  const onFormulaValidity = useCallback((valid: boolean) => setFormulaValid(valid), []);
  const set = <K extends keyof ProgramContentBody>(key: K, value: ProgramContentBody[K]) =>
    setContent((before) => ({ ...before, [key]: value }));
  const benefit = content.benefit;
  const benefitKind: BenefitKind =
    'basket' in benefit ? 'basket' : 'amountMinor' in benefit ? 'amount' : 'formula';
  const currency = 'currency' in benefit ? benefit.currency : 'VES';
  const chooseBenefit = (kind: BenefitKind) =>
    set(
      'benefit',
      kind === 'basket'
        ? { basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] }
        : kind === 'amount'
          ? { amountMinor: '0', currency }
          : { formula: '', currency },
    );
  const ready = ruleValid && (benefitKind !== 'formula' || formulaValid);
  return (
    <form
      className="program-editor"
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit(content, code);
      }}
    >
      {props.withCode ? (
        <Field label={t('programs.code')} hint={t('programs.codeHint')} required>
          {(control) => (
            <input
              {...control}
              pattern="[a-z][a-z0-9_]{0,39}"
              value={code}
              onChange={(event) => setCode(event.target.value)}
            />
          )}
        </Field>
      ) : null}
      <div className="two-columns">
        <TextField
          label={t('programs.nameEs')}
          value={content.nameEs}
          onChange={(v) => set('nameEs', v)}
          required
        />
        <TextField
          label={t('programs.nameEn')}
          value={content.nameEn}
          onChange={(v) => set('nameEn', v)}
          required
        />
        <TextField
          label={t('programs.descriptionEs')}
          value={content.descriptionEs}
          onChange={(v) => set('descriptionEs', v)}
        />
        <TextField
          label={t('programs.descriptionEn')}
          value={content.descriptionEn}
          onChange={(v) => set('descriptionEn', v)}
        />
      </div>
      <div className="two-columns">
        <Choice
          label={t('programs.kindLabel')}
          value={content.kind}
          values={programKindValues}
          prefix="programs.kind"
          onChange={(v) => set('kind', v)}
        />
        <Choice
          label={t('programs.unitLabel')}
          value={content.unit}
          values={benefitUnitValues}
          prefix="programs.unit"
          onChange={(v) => set('unit', v)}
        />
        <Choice
          label={t('programs.cadenceLabel')}
          value={content.cadence}
          values={cadenceValues}
          prefix="programs.cadence"
          onChange={(v) => set('cadence', v)}
        />
        <Field label={t('programs.budgetCap')} hint={t('programs.budgetCapHint')} required>
          {(control) => (
            <input
              {...control}
              inputMode="numeric"
              pattern="[0-9]{1,19}"
              value={content.budgetCap}
              onChange={(event) => set('budgetCap', event.target.value)}
            />
          )}
        </Field>
      </div>
      <label>
        <input
          type="checkbox"
          checked={content.nameInTexts === true}
          onChange={(event) => set('nameInTexts', event.target.checked)}
        />{' '}
        {t('programs.nameInTexts')}
      </label>
      <fieldset className="region-picker">
        <legend>{t('programs.regions')}</legend>
        <p className="hint">{t('programs.regionsHint')}</p>
        <ul>
          {listStates().map((state) => (
            <li key={state.code}>
              <label>
                <input
                  type="checkbox"
                  checked={content.regions.includes(state.code)}
                  onChange={(event) =>
                    set(
                      'regions',
                      event.target.checked
                        ? [...content.regions, state.code].sort()
                        : content.regions.filter((code) => code !== state.code),
                    )
                  }
                />{' '}
                {state.name}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <fieldset className="choice-row">
        <legend>{t('programs.benefit')}</legend>
        {(['basket', 'amount', 'formula'] as const).map((kind) => (
          <label key={kind}>
            <input
              type="radio"
              name="benefit-kind"
              checked={benefitKind === kind}
              onChange={() => chooseBenefit(kind)}
            />{' '}
            {t(`programs.benefitKind.${kind}`)}
          </label>
        ))}
      </fieldset>
      {'basket' in benefit ? (
        <BasketEditor lines={benefit.basket} onChange={(basket) => set('benefit', { basket })} />
      ) : (
        <Choice
          label={t('programs.currency')}
          value={currency}
          values={currencyValues}
          onChange={(v) => set('benefit', { ...benefit, currency: v })}
        />
      )}
      {'amountMinor' in benefit ? (
        <Field label={t('programs.amountMinor')} hint={t('programs.amountMinorHint')} required>
          {(control) => (
            <input
              {...control}
              inputMode="numeric"
              pattern="[0-9]{1,19}"
              value={benefit.amountMinor}
              onChange={(event) => set('benefit', { ...benefit, amountMinor: event.target.value })}
            />
          )}
        </Field>
      ) : null}
      {'formula' in benefit ? (
        <RuleField
          label={t('programs.formula')}
          hint={t('programs.formulaHint')}
          yields="int"
          value={benefit.formula}
          onChange={(formula) => set('benefit', { ...benefit, formula })}
          onValidity={onFormulaValidity}
        />
      ) : null}
      <RuleField
        label={t('programs.rule')}
        hint={t('programs.ruleHint')}
        yields="bool"
        value={content.eligibilityRule}
        onChange={(rule) => set('eligibilityRule', rule)}
        onValidity={onRuleValidity}
      />
      <button type="submit" disabled={props.busy || !ready}>
        {props.submitLabel}
      </button>
    </form>
  );
}

function TextField(props: {
  label: string;
  value: string;
  required?: boolean;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={props.label} required={props.required ?? false}>
      {(control) => (
        <input
          {...control}
          maxLength={120}
          value={props.value}
          onChange={(event) => props.onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

function Choice<V extends string>(props: {
  label: string;
  value: V;
  values: readonly V[];
  prefix?: string;
  onChange: (value: V) => void;
}) {
  const { t } = useTranslation();
  return (
    <Field label={props.label} required>
      {(control) => (
        <select
          {...control}
          value={props.value}
          // Safe: the options are exactly `values`.
          onChange={(event) => props.onChange(event.target.value as V)}
        >
          {props.values.map((value) => (
            <option key={value} value={value}>
              {props.prefix ? t(`${props.prefix}.${value}`) : value}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function BasketEditor(props: {
  lines: readonly BasketLine[];
  onChange: (lines: BasketLine[]) => void;
}) {
  const { t } = useTranslation();
  const hintId = useId();
  const change = (index: number, line: BasketLine) =>
    props.onChange(props.lines.map((old, at) => (at === index ? line : old)));
  return (
    <fieldset className="basket">
      <legend>{t('programs.basket')}</legend>
      {props.lines.map((line, index) => (
        // Lines have no identity of their own; their position is what the officer edits.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <div className="basket-line" key={index}>
          <Field label={t('programs.basketQuantity')} required>
            {(control) => (
              <input
                {...control}
                type="number"
                min={1}
                value={line.quantity}
                onChange={(event) =>
                  change(index, { ...line, quantity: Number(event.target.value) })
                }
              />
            )}
          </Field>
          <Field label={t('programs.basketUnit')} required>
            {(control) => (
              <input
                {...control}
                maxLength={40}
                value={line.unit}
                onChange={(event) => change(index, { ...line, unit: event.target.value })}
              />
            )}
          </Field>
          <Field label={t('programs.basketItem')} required>
            {(control) => (
              <input
                {...control}
                maxLength={40}
                value={line.item}
                onChange={(event) => change(index, { ...line, item: event.target.value })}
              />
            )}
          </Field>
          <label className="choice">
            <input
              type="checkbox"
              checked={line.carryOver === true}
              aria-describedby={`${hintId}-${index}`}
              onChange={(event) => change(index, { ...line, carryOver: event.target.checked })}
            />{' '}
            {t('basketCarryOver.label')}
          </label>
          <p className="hint" id={`${hintId}-${index}`}>
            {t('basketCarryOver.hint')}
          </p>
        </div>
      ))}
      <button
        type="button"
        className="button-secondary"
        onClick={() => props.onChange([...props.lines, { item: '', quantity: 1, unit: '' }])}
      >
        {t('programs.basketAdd')}
      </button>
    </fieldset>
  );
}
