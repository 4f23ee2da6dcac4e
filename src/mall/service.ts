/**
 * The mall's use cases: signing up sellers, and each seller's catalogue
 * (single products, changes, a CSV upload of a whole catalogue). Routes call
 * one function each.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseBusinessRegistrationNumber } from '../platform/business-registration-number.ts';
import { err, ok, type Result } from '../platform/result.ts';
import type { CatalogueFeedPage, ListingReport, ListingReportsAnswer } from '../protocol/index.ts';
import { uploadCatalogue, type UploadReport } from './catalogue-upload.ts';
import { contentOf, hashed, patchedContent } from './content.ts';
import type { CreateProductInput, PatchProductInput, RegisterSellerInput } from './contract.ts';
import type { MallError } from './errors.ts';
import { readFeedPage } from './feed.ts';
import type { MallStore } from './store.ts';
import type { Principal, Product, ProductId, ProductListing, Seller } from './types.ts';

/** A product with where it stands on the marketplace (null until the marketplace has reported). */
export interface ProductDetail {
  readonly product: Product;
  readonly listing: ProductListing | null;
}

/** Bytes of randomness in a seller's API key (base64url, shown once). */
export const SELLER_KEY_BYTES = 32;
/** Times a change without `expectedVersion` is merged again when another writer changed the product meanwhile. */
export const PATCH_MERGE_ATTEMPTS_MAX = 3;

export interface MallServiceDeps {
  readonly store: MallStore;
  readonly operatorKey: string;
  readonly now: () => Date;
}

export interface MallService {
  authenticate(token: string | undefined): Promise<Result<Principal, MallError>>;
  registerSeller(input: RegisterSellerInput): Promise<Result<{ readonly seller: Seller; readonly apiKey: string }, MallError>>;
  /** Creates a product; the same request again answers the product it created (`created: false`). */
  createProduct(seller: Seller, input: CreateProductInput): Promise<Result<{ readonly product: Product; readonly created: boolean }, MallError>>;
  /** The seller's product with its listing at the marketplace. */
  getProduct(seller: Seller, productId: string): Promise<Result<ProductDetail, MallError>>;
  listProducts(seller: Seller, page: { readonly after?: string; readonly limit: number }): Promise<readonly ProductDetail[]>;
  /** Applies a change; a change that leaves the content as it is makes no new version (`changed: false`). */
  patchProduct(seller: Seller, productId: string, patch: PatchProductInput): Promise<Result<{ readonly product: Product; readonly changed: boolean }, MallError>>;
  /** Creates or replaces the seller's products from a CSV file, row by row, each row whole or not at all. */
  uploadCatalogue(seller: Seller, csv: string): Promise<Result<UploadReport, MallError>>;
  /** A page of the catalogue feed after a cursor (ADR 15). */
  feed(page: { readonly after: bigint; readonly limit: number }): Promise<CatalogueFeedPage>;
  /**
   * The operator suspends a seller (or reinstates it): each of its products
   * becomes a new version carrying the seller's standing, so the marketplace
   * delists (or relists) them through the feed (ADR 17). Doing it twice
   * changes nothing the second time.
   */
  setSellerSuspended(sellerId: string, suspended: boolean): Promise<Result<{ readonly seller: Seller; readonly productsChanged: number }, MallError>>;
  /** The marketplace's reports of its listings: each kept when newer than the one held (ADR 17). */
  receiveListingReports(reports: readonly ListingReport[]): Promise<ListingReportsAnswer>;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

export const newProductId = (): ProductId => `P${randomBytes(8).toString('hex')}` as ProductId;

export function createMallService(deps: MallServiceDeps): MallService {
  const { store } = deps;
  const operatorKeyHash = sha256(deps.operatorKey);
  const at = (): string => deps.now().toISOString();
  /** The seller's own product; another seller's is not found (its existence is not this seller's to know). */
  const ownProduct = async (seller: Seller, productId: string): Promise<Result<Product, MallError>> => {
    const product = await store.getProduct(productId);
    return product === null || product.sellerId !== seller.sellerId ? err({ kind: 'not-found', what: 'product' }) : ok(product);
  };

  return {
    async authenticate(token) {
      if (token === undefined) return err({ kind: 'unauthenticated', message: 'send Authorization: Bearer <key>' });
      const presented = sha256(token);
      if (timingSafeEqual(presented, operatorKeyHash)) return ok({ kind: 'operator' });
      const seller = await store.getSellerByKeyHash(presented);
      return seller === null ? err({ kind: 'unauthenticated', message: 'the key is not valid' }) : ok({ kind: 'seller', seller });
    },

    async registerSeller(input) {
      const brn = parseBusinessRegistrationNumber(input.businessRegistrationNumber);
      if (!brn.ok) return err({ kind: 'invalid-business-registration-number', message: brn.error.message });
      const apiKey = randomBytes(SELLER_KEY_BYTES).toString('base64url');
      const inserted = await store.insertSeller({ legalName: input.legalName, businessRegistrationNumber: brn.value, contactEmail: input.contactEmail, keyHash: sha256(apiKey) }, at());
      if (inserted.kind === 'exists') return err({ kind: 'seller-already-registered', sellerId: inserted.sellerId });
      return ok({ seller: inserted.seller, apiKey });
    },

    async createProduct(seller, input) {
      const inserted = await store.insertProduct({ productId: newProductId(), sellerId: seller.sellerId, ...hashed(contentOf(input)) }, at());
      if (inserted.kind === 'created') return ok({ product: inserted.product, created: true });
      if (inserted.sameContent) return ok({ product: inserted.product, created: false });
      return err({ kind: 'sku-taken', sku: input.sku, productId: inserted.product.productId });
    },

    async getProduct(seller, productId) {
      const product = await ownProduct(seller, productId);
      if (!product.ok) return product;
      const listings = await store.listingsOf([product.value.productId]);
      return ok({ product: product.value, listing: listings.get(product.value.productId) ?? null });
    },

    async listProducts(seller, page) {
      const products = await store.listProducts(seller.sellerId, { ...(page.after === undefined ? {} : { afterId: page.after }), limit: page.limit });
      const listings = await store.listingsOf(products.map((p) => p.productId));
      return products.map((product) => ({ product, listing: listings.get(product.productId) ?? null }));
    },

    async patchProduct(seller, productId, patch) {
      for (let attempt = 1; attempt <= PATCH_MERGE_ATTEMPTS_MAX; attempt++) {
        const current = await ownProduct(seller, productId);
        if (!current.ok) return current;
        const expectedVersion = patch.expectedVersion ?? current.value.version;
        const updated = await store.updateProduct(current.value.productId, { ...hashed(patchedContent(current.value, patch)), expectedVersion }, at());
        switch (updated.kind) {
          case 'updated':
            return ok({ product: updated.product, changed: true });
          case 'unchanged':
            return ok({ product: updated.product, changed: false });
          case 'not-found':
            return err({ kind: 'not-found', what: 'product' });
          case 'version-conflict':
            if (patch.expectedVersion !== undefined) {
              return err({ kind: 'version-conflict', productId, expectedVersion: patch.expectedVersion, currentVersion: updated.product.version });
            }
          // Without an expected version, the change applies to the product as it is now: merge it again.
        }
      }
      return err({ kind: 'contended', productId });
    },

    async uploadCatalogue(seller, csv) {
      return uploadCatalogue({ store, seller, csv, at: at(), newProductId });
    },

    feed: (page) => readFeedPage(store, page),

    async setSellerSuspended(sellerId, suspended) {
      const changed = await store.setSellerSuspended(sellerId, suspended, at());
      if (changed.kind === 'not-found') return err({ kind: 'not-found', what: 'seller' });
      return ok({ seller: changed.seller, productsChanged: changed.kind === 'changed' ? changed.productsChanged : 0 });
    },

    async receiveListingReports(reports) {
      return store.applyListingReports(reports, at());
    },
  };
}
