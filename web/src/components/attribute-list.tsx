import { useTranslation } from 'react-i18next';
import type { Attributes } from '../api/types.js';
import { attributeLabel, attributeText } from '../catalogue/attribute-value.js';
import { useCatalogue } from '../catalogue/use-catalogue.js';
import { useFormat } from '../i18n/format.js';

/**
 * A record's attributes as a description list, in catalogue order. The photo is shown as an
 * image with a text alternative.
 */
export function AttributeList({ attributes }: { attributes: Attributes }) {
  const { t } = useTranslation();
  const format = useFormat();
  const catalogue = useCatalogue();
  const order = catalogue.data?.attributes.map((attribute) => attribute.name) ?? [];
  const names = Object.keys(attributes).sort(
    (a, b) => rank(order, a) - rank(order, b) || a.localeCompare(b),
  );
  return (
    <dl className="attributes">
      {names.map((name) => (
        <div key={name} className="attribute">
          <dt>{attributeLabel(name, t)}</dt>
          <dd>
            {name === 'photo' && typeof attributes[name] === 'string' ? (
              <img
                className="photo"
                src={`data:image/jpeg;base64,${attributes[name]}`}
                alt={t('attribute.photoAlt')}
              />
            ) : (
              attributeText(name, attributes[name], t, format)
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function rank(order: string[], name: string): number {
  const index = order.indexOf(name);
  return index === -1 ? order.length : index;
}
