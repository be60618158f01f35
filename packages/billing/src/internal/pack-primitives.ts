/** Value schemas shared by the rule-pack schemas. @internal */
import { z } from 'zod';

export const Program = z.enum(['mental-health', 'substance-use', 'co-occurring']);
export const Mode = z.enum(['individual', 'group']);
export const Modality = z.enum(['in-person', 'video', 'audio-only']);
export const Hcpcs = z.string().regex(/^[A-Z]\d{4}$/, { message: 'must be a HCPCS Level II code such as H0038' });
export const Modifier = z.string().regex(/^[A-Z0-9]{2}$/, { message: 'must be a two-character modifier' });
export const Pos = z.string().regex(/^\d{2}$/, { message: 'must be a two-digit place-of-service code' });
export const Slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: 'must be lower-case words joined by "-"' });
